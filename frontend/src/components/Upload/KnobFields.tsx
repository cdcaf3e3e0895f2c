/**
 * The advanced section: one input per method knob, generated from `GET /methods`, labelled in plain language;
 * the *Expert* toggle shows the papers' knob names (what the API's `knobs` field takes).
 */
import { useId, useState } from "react";
import { knobLabel } from "../../lib/knobLabels";
import { knobError, type KnobParam, type KnobValues } from "../../lib/presets";

interface Props {
  params: KnobParam[];
  values: KnobValues;
  onChange: (values: KnobValues) => void;
}

export function KnobFields({ params, values, onChange }: Props) {
  const ids = useId();
  const set = (name: string, value: string | boolean) => onChange({ ...values, [name]: value });
  const [expert, setExpert] = useState(false);
  return (
    <>
    <div className="checkbox-row expert-toggle">
      <input id={`${ids}-expert`} type="checkbox" checked={expert} onChange={(e) => setExpert(e.target.checked)} />
      <label htmlFor={`${ids}-expert`}>Expert: show the papers' parameter names</label>
    </div>
    <div className="field-grid knobs">
      {params.map((p) => {
        const id = `${ids}-${p.name}`;
        const value = values[p.name];
        const error = knobError(p, value);
        const range = [
          p.minimum !== undefined ? `min ${p.minimum}` : p.exclusive_minimum !== undefined ? `> ${p.exclusive_minimum}` : "",
          p.maximum !== undefined ? `max ${p.maximum}` : "",
          `default ${p.default === null ? "none" : String(p.default)}`,
        ].filter(Boolean).join(", ");
        return (
          <div className="field" key={p.name}>
            {p.type === "bool" ? (
              <div className="checkbox-row">
                <input id={id} type="checkbox" checked={Boolean(value)} aria-describedby={`${id}-help`}
                  onChange={(e) => set(p.name, e.target.checked)} />
                <label htmlFor={id}>{knobLabel(p.name, expert)}</label>
              </div>
            ) : (
              <>
                <label htmlFor={id}>{knobLabel(p.name, expert)}</label>
                {p.choices ? (
                  <select id={id} value={String(value ?? "")} aria-describedby={`${id}-help`}
                    onChange={(e) => set(p.name, e.target.value)}>
                    {p.choices.map((c) => <option key={String(c)} value={String(c)}>{String(c)}</option>)}
                  </select>
                ) : (
                  <input id={id} type={p.type === "str" ? "text" : "number"} step={p.type === "int" ? "1" : "any"}
                    value={String(value ?? "")} placeholder={p.nullable ? "none" : undefined}
                    aria-invalid={Boolean(error)} aria-describedby={`${id}-help ${id}-err`}
                    onChange={(e) => set(p.name, e.target.value)} />
                )}
              </>
            )}
            <p className="help" id={`${id}-help`}>{p.help} ({expert ? range : `${p.name}; ${range}`})</p>
            {error && <p className="field-error" id={`${id}-err`}>{error}</p>}
          </div>
        );
      })}
    </div>
    </>
  );
}
