import type { InputHTMLAttributes, TargetedEvent } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { CardDetails } from '../checkout-api.ts';
import {
  caretAfterDigits,
  cardNumberError,
  cvcError,
  digitsOf,
  expiryError,
  formatCardNumber,
  formatCvc,
  formatExpiry,
  parseExpiry,
} from '../card-input.ts';
import { useI18n } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import type { Problem } from '../use-checkout.ts';
import { PayButton } from './pay-button.tsx';

type FieldName = 'number' | 'expiry' | 'cvc';
type Values = Record<FieldName, string>;
type Errors = Partial<Record<FieldName, MessageKey>>;

function errorsOf(values: Values): Errors {
  const errors: Errors = {};
  const number = cardNumberError(values.number);
  const expiry = expiryError(values.expiry);
  const cvc = cvcError(values.cvc, values.number);
  if (number) errors.number = number;
  if (expiry) errors.expiry = expiry;
  if (cvc) errors.cvc = cvc;
  return errors;
}

function Field(props: {
  name: FieldName;
  label: string;
  error: string | undefined;
  inputProps: InputHTMLAttributes<HTMLInputElement>;
}) {
  const { name, label, error, inputProps } = props;
  const id = `card-${name}`;
  return (
    <div class={`field field-${name}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="text"
        inputmode="numeric"
        spellcheck={false}
        aria-invalid={error ? 'true' : 'false'}
        aria-describedby={error ? `${id}-error` : undefined}
        {...inputProps}
      />
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * Card number, expiry and CVC. Values are reformatted as typed; a field shows its error once
 * the shopper leaves it or tries to pay, and typing a fix clears it straight away.
 */
export function CardForm(props: {
  amount: string;
  submitting: boolean;
  notice: Problem | null;
  onPay(card: CardDetails): void;
}) {
  const { t } = useI18n();
  const [values, setValues] = useState<Values>({ number: '', expiry: '', cvc: '' });
  const [shown, setShown] = useState<Partial<Record<FieldName, boolean>>>({});
  const formRef = useRef<HTMLFormElement>(null);
  const errors = errorsOf(values);
  const errorText = (name: FieldName): string | undefined => {
    const key = errors[name];
    return shown[name] && key ? t(key) : undefined;
  };

  const onInput = (name: FieldName, format: (text: string) => string) => (event: TargetedEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const caret = input.selectionStart ?? input.value.length;
    const typingAtEnd = caret >= input.value.length;
    const digitsBeforeCaret = digitsOf(input.value.slice(0, caret)).length;
    const formatted = format(input.value);
    // Preact skips the DOM write when state does not change, so set the value here as well.
    input.value = formatted;
    if (document.activeElement === input && !typingAtEnd) {
      const position = caretAfterDigits(formatted, digitsBeforeCaret);
      input.setSelectionRange(position, position);
    }
    setValues((current) => ({ ...current, [name]: formatted }));
  };
  const onBlur = (name: FieldName) => () => {
    if (values[name]) setShown((current) => ({ ...current, [name]: true }));
  };

  const onSubmit = (event: TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (props.submitting) return;
    const firstInvalid = (['number', 'expiry', 'cvc'] as const).find((name) => errors[name]);
    if (firstInvalid) {
      setShown({ number: true, expiry: true, cvc: true });
      formRef.current?.querySelector<HTMLInputElement>(`#card-${firstInvalid}`)?.focus();
      return;
    }
    const expiry = parseExpiry(values.expiry)!;
    props.onPay({ number: digitsOf(values.number), exp_month: expiry.month, exp_year: expiry.year, cvc: values.cvc });
  };

  return (
    <form ref={formRef} class="card-form" onSubmit={onSubmit} noValidate>
      <Field
        name="number"
        label={t('cardNumber')}
        error={errorText('number')}
        inputProps={{
          value: values.number,
          autocomplete: 'cc-number',
          placeholder: '1234 1234 1234 1234',
          onInput: onInput('number', formatCardNumber),
          onBlur: onBlur('number'),
        }}
      />
      <div class="field-row">
        <Field
          name="expiry"
          label={t('expiry')}
          error={errorText('expiry')}
          inputProps={{
            value: values.expiry,
            autocomplete: 'cc-exp',
            placeholder: t('expiryPlaceholder'),
            onInput: onInput('expiry', formatExpiry),
            onBlur: onBlur('expiry'),
          }}
        />
        <Field
          name="cvc"
          label={t('cvc')}
          error={errorText('cvc')}
          inputProps={{
            value: values.cvc,
            autocomplete: 'cc-csc',
            placeholder: '123',
            onInput: onInput('cvc', (text) => formatCvc(text, values.number)),
            onBlur: onBlur('cvc'),
          }}
        />
      </div>
      <PayButton amount={props.amount} submitting={props.submitting} notice={props.notice} />
    </form>
  );
}

