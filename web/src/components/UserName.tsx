// A person's name as the chat shows it. The name is user-supplied text, so it
// sits in <bdi>: a right-to-left name, or a bidi control the server did not
// refuse (names stored before it did), is laid out on its own and cannot
// reorder the text around it ("alice: hi" staying "alice: hi"). Guests get a
// visible badge, because a guest's display name is not reserved the way an
// account's username is: the badge is what tells "alice" the guest from
// @alice the account.

type Props = {
  name: string;
  /** Shows the "guest" badge. */
  guest?: boolean;
  className?: string;
};

export function UserName({ name, guest = false, className }: Props) {
  return (
    <>
      <bdi className={className}>{name}</bdi>
      {guest && (
        <>
          {' '}
          <span className="guest-badge">guest</span>
        </>
      )}
    </>
  );
}
