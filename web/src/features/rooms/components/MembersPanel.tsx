// The open room's members with their role; moderators may kick or ban
// members of lower standing and see and lift the room's bans, the owner (or
// an admin) may make members moderators, and any member may invite an
// account to a private room.

import { useId, useState, type FormEvent } from 'react';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { appointModerator } from '../api/appoint-moderator';
import { banMember } from '../api/ban-member';
import { standing } from '../api/get-members';
import { inviteMember } from '../api/invite-member';
import { kickMember } from '../api/kick-member';
import { unbanMember } from '../api/unban-member';
import { byId } from '../api/user-ref';
import { useBans } from '../hooks/use-bans';
import type { Members } from '../hooks/use-members';

type Props = {
  room: { id: string; name: string; visibility?: string };
  me: { id: number };
  members: Members;
  onClose?: () => void;
};

/** Owners and admins appoint moderators (protocol §6.2). */
const APPOINTS = 3;

export function MembersPanel({ room, me, members, onClose }: Props) {
  const { members: list, myStanding, moderates, error: loadError, refresh } = members;
  const [invitee, setInvitee] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const bans = useBans(room.id, moderates);
  const ids = { invite: useId(), title: useId(), banned: useId() };

  /** `touchesBans`: the list of bans is read again too, also after a refusal
   *  (a ban lifted elsewhere answers 404 here and should leave the list). */
  const act = async (action: () => Promise<unknown>, done: string, touchesBans = false) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await action();
      setNotice(done);
      await refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'That did not work.');
    } finally {
      if (touchesBans) await bans.refresh();
      setBusy(false);
    }
  };

  const onInvite = (e: FormEvent) => {
    e.preventDefault();
    const name = invitee.trim();
    if (!name) return;
    void act(async () => {
      await inviteMember(room.id, name);
      setInvitee('');
    }, `${name} was invited.`);
  };

  const canAppoint = myStanding >= APPOINTS;
  // The server lets a moderator lift their own bans and those placed by
  // someone of lower standing now (one who left the room has none).
  const canLift = (by: { id: number; admin?: boolean }) => {
    if (by.id === me.id) return true;
    const role = list.find((m) => m.user.id === by.id)?.role ?? null;
    return standing(by, role) < myStanding;
  };

  return (
    <section className="side-panel" aria-labelledby={ids.title}>
      <div className="panel-header">
        <h2 id={ids.title}>Members</h2>
        {onClose && (
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        )}
      </div>
      <ul className="member-list" aria-labelledby={ids.title}>
        {list.map((m) => {
          const { id, name } = m.user;
          const removable = moderates && id !== me.id && standing(m.user, m.role) < myStanding;
          const appointable = canAppoint && m.role === 'member' && id !== me.id;
          return (
            <li key={id}>
              <bdi className="member-name">{name}</bdi>
              {m.user.username && m.user.username !== name && <span className="muted">
                  {' '}
                  @<bdi>{m.user.username}</bdi>
                </span>}
              {m.user.guest && <span className="muted"> (guest)</span>}
              {m.role !== 'member' && <span className="role"> {m.role}</span>}
              {(removable || appointable) && (
                <span className="member-actions">
                  {appointable && (
                    <button
                      type="button"
                      className="link"
                      aria-label={`Make ${name} a moderator`}
                      disabled={busy}
                      onClick={() => void act(() => appointModerator(room.id, byId(id)), `${name} is now a moderator.`)}
                    >
                      Make moderator
                    </button>
                  )}
                  {removable && (
                    <>
                      <ConfirmButton
                        className="link"
                        aria-label={`Kick ${name}`}
                        disabled={busy}
                        question={`Remove ${name} from #${room.name}?`}
                        confirmLabel="Kick"
                        onConfirm={() => void act(() => kickMember(room.id, byId(id)), `${name} was kicked.`)}
                      >
                        Kick
                      </ConfirmButton>
                      <ConfirmButton
                        className="link danger"
                        aria-label={`Ban ${name}`}
                        disabled={busy}
                        question={`Ban ${name} from #${room.name}? They cannot come back until unbanned.`}
                        confirmLabel="Ban"
                        onConfirm={() => void act(() => banMember(room.id, byId(id)), `${name} was banned.`, true)}
                      >
                        Ban
                      </ConfirmButton>
                    </>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {moderates && (
        <>
          <h3 id={ids.banned}>Banned</h3>
          {bans.loaded && bans.bans.length === 0 && <p className="muted">No one is banned here.</p>}
          {bans.bans.length > 0 && (
            <ul className="member-list" aria-labelledby={ids.banned}>
              {bans.bans.map(({ user, by }) => (
                <li key={user.id}>
                  <bdi className="member-name">{user.name}</bdi>
                  {user.username && user.username !== user.name && <span className="muted">
                      {' '}
                      @<bdi>{user.username}</bdi>
                    </span>}
                  {user.guest && <span className="muted"> (guest)</span>}
                  <span className="muted">
                    {' '}
                    banned by <bdi>{by.name}</bdi>
                  </span>
                  {canLift(by) && (
                    <span className="member-actions">
                      <button
                        type="button"
                        className="link"
                        // Not "Unban …": a search for the "Ban <name>" button would find it too.
                        aria-label={`Lift ban on ${user.name}`}
                        disabled={busy}
                        onClick={() =>
                          void act(() => unbanMember(room.id, byId(user.id)), `The ban on ${user.name} was lifted.`, true)
                        }
                      >
                        Lift ban
                      </button>
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {room.visibility === 'private' && (
        <form className="panel-form" onSubmit={onInvite}>
          <label htmlFor={ids.invite}>Invite username</label>
          <div className="row">
            <input id={ids.invite} value={invitee} autoComplete="off" onChange={(e) => setInvitee(e.target.value)} />
            <button type="submit" disabled={busy}>
              Invite
            </button>
          </div>
        </form>
      )}
      {notice && (
        <p className="notice" aria-live="polite">
          {notice}
        </p>
      )}
      {(error ?? loadError ?? bans.error) && (
        <p className="form-error" role="alert">
          {error ?? loadError ?? bans.error}
        </p>
      )}
    </section>
  );
}
