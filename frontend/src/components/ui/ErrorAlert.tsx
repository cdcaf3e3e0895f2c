/** An error shown to people: one sentence in an element with role="alert" (never raw JSON). */
export function ErrorAlert({ message, title }: { message: string; title?: string }) {
  return (
    <div role="alert" className="alert">
      {title && <strong>{title} </strong>}
      {message}
    </div>
  );
}
