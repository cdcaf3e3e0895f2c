/** A radio button with its label and a one-line description that the button is described by. */
export function DescribedRadio(props: {
  id: string;
  group: string;
  label: string;
  description: string;
  checked: boolean;
  onSelect: () => void;
}) {
  const { id } = props;
  return (
    <div className="radio-row">
      <input
        type="radio"
        id={id}
        name={props.group}
        checked={props.checked}
        onChange={props.onSelect}
        aria-describedby={`${id}-d`}
      />
      <label htmlFor={id}>{props.label}</label>
      <span className="muted" id={`${id}-d`}>{props.description}</span>
    </div>
  );
}
