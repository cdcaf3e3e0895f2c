import type { ReactNode } from "react";

/** A labelled number input with its help text and its validation message, both tied to it by aria-describedby. */
export function NumberField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  help: ReactNode;
  error?: string;
  min?: string;
  max?: string;
  step?: string;
  placeholder?: string;
  inputMode?: "decimal" | "numeric";
  children?: ReactNode;
}) {
  const { id, error } = props;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="number"
        inputMode={props.inputMode}
        min={props.min}
        max={props.max}
        step={props.step ?? "any"}
        placeholder={props.placeholder}
        value={props.value}
        aria-invalid={Boolean(error)}
        aria-describedby={`${id}-help ${id}-err`}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <p className="help" id={`${id}-help`}>{props.help}</p>
      <p className="field-error" id={`${id}-err`}>{error}</p>
      {props.children}
    </div>
  );
}
