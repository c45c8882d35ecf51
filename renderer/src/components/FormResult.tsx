interface FormResultProps {
  /** Fields point at this id with `aria-describedby`, and the form moves focus here after a save. */
  id: string;
  /** Problem of the last save, shown instead of `notice`. */
  problem: string | null;
  /** Success message of the last save. */
  notice: string | null;
}

/** Shows the outcome of a form's last save next to the form, instead of at the top of a long page. */
export function FormResult({ id, problem, notice }: FormResultProps) {
  if (problem !== null) {
    return (
      <div id={id} role="alert" className="alert" tabIndex={-1}>
        <p>{problem}</p>
      </div>
    );
  }
  if (notice !== null) {
    return (
      <p id={id} role="status" className="notice" tabIndex={-1}>
        {notice}
      </p>
    );
  }
  return null;
}
