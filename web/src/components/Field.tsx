// A form field: its label, the control, a hint and the problems with it
// (the server's field violations or the portal's own checks), tied
// together with ids so screen readers read them with the control.
import type { ReactNode } from "react";

export interface ControlProps {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
  "aria-required"?: boolean;
}

interface FieldProps {
  id: string;
  label: string;
  hint?: ReactNode;
  errors?: string[];
  required?: boolean;
  requiredLabel?: string;
  children: (control: ControlProps) => ReactNode;
}

export function Field({ id, label, hint, errors = [], required, requiredLabel, children }: FieldProps) {
  const described = [hint ? `${id}-hint` : "", errors.length ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={errors.length ? "field field-invalid" : "field"}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required"> {requiredLabel ?? "*"}</span>}
      </label>
      {children({ id, "aria-describedby": described || undefined, "aria-invalid": errors.length > 0 || undefined, "aria-required": required || undefined })}
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
      {errors.length > 0 && (
        <p id={`${id}-error`} className="field-error" data-field-error={id}>
          {errors.join("；")}
        </p>
      )}
    </div>
  );
}

/** A group of checkboxes or radios, with its problems; the legend names it. */
export function FieldGroup({ id, legend, hint, errors = [], required, requiredLabel, children }: Omit<FieldProps, "children" | "label"> & { legend: string; children: ReactNode }) {
  const described = [hint ? `${id}-hint` : "", errors.length ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <fieldset id={id} className={errors.length ? "field field-invalid" : "field"} aria-describedby={described || undefined} tabIndex={-1}>
      <legend>{legend}{required && <span className="required"> {requiredLabel ?? "*"}</span>}</legend>
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
      {children}
      {errors.length > 0 && <p id={`${id}-error`} className="field-error" data-field-error={id}>{errors.join("；")}</p>}
    </fieldset>
  );
}
