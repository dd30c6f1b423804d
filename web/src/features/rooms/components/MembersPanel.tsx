// The open room's members with their role; moderators may kick or ban
// members of lower standing, and any member may invite an account to a
// private room.

import { useId, useState, type FormEvent } from 'react';
import { banMember } from '../api/ban-member';
import { standing, type Member } from '../api/get-members';
import { inviteMember } from '../api/invite-member';
import { kickMember } from '../api/kick-member';
import type { Members } from '../hooks/use-members';

type Props = {
  room: { id: string; name: string; visibility?: string };
  me: { id: number };
  members: Members;
  onClose?: () => void;
};

/** Moderation names accounts by username and guests by display name. */
const handle = (m: Member) => m.user.username ?? m.user.name;

export function MembersPanel({ room, me, members, onClose }: Props) {
  const { members: list, myStanding, moderates, error: loadError, refresh } = members;
  const [invitee, setInvitee] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const inviteId = useId();
  const titleId = useId();

  const act = async (action: () => Promise<unknown>, done: string) => {
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

  return (
    <section className="side-panel" aria-labelledby={titleId}>
      <div className="panel-header">
        <h2 id={titleId}>Members</h2>
        {onClose && (
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        )}
      </div>
      <ul className="member-list" aria-labelledby={titleId}>
        {list.map((m) => {
          const removable = moderates && m.user.id !== me.id && standing(m.user, m.role) < myStanding;
          return (
            <li key={m.user.id}>
              <span className="member-name">{m.user.name}</span>
              {m.user.username && m.user.username !== m.user.name && (
                <span className="muted"> @{m.user.username}</span>
              )}
              {m.user.guest && <span className="muted"> (guest)</span>}
              {m.role !== 'member' && <span className="role"> {m.role}</span>}
              {removable && (
                <span className="member-actions">
                  <button
                    type="button"
                    className="link"
                    aria-label={`Kick ${m.user.name}`}
                    disabled={busy}
                    onClick={() => void act(() => kickMember(room.id, handle(m)), `${m.user.name} was kicked.`)}
                  >
                    Kick
                  </button>
                  <button
                    type="button"
                    className="link danger"
                    aria-label={`Ban ${m.user.name}`}
                    disabled={busy}
                    onClick={() => void act(() => banMember(room.id, handle(m)), `${m.user.name} was banned.`)}
                  >
                    Ban
                  </button>
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {room.visibility === 'private' && (
        <form className="panel-form" onSubmit={onInvite}>
          <label htmlFor={inviteId}>Invite username</label>
          <div className="row">
            <input id={inviteId} value={invitee} autoComplete="off" onChange={(e) => setInvitee(e.target.value)} />
            <button type="submit" disabled={busy}>
              Invite
            </button>
          </div>
        </form>
      )}
      {notice && <p className="notice">{notice}</p>}
      {(error ?? loadError) && (
        <p className="form-error" role="alert">
          {error ?? loadError}
        </p>
      )}
    </section>
  );
}
