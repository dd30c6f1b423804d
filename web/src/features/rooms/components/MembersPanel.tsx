// The open room's members with their role; moderators may kick or ban
// members of lower standing and lift bans, the owner (or an admin) may make
// members moderators, and any member may invite an account to a private room.

import { useId, useState, type FormEvent } from 'react';
import { appointModerator } from '../api/appoint-moderator';
import { banMember } from '../api/ban-member';
import { standing } from '../api/get-members';
import { inviteMember } from '../api/invite-member';
import { kickMember } from '../api/kick-member';
import { unbanMember } from '../api/unban-member';
import { byId, byUsername } from '../api/user-ref';
import type { Members } from '../hooks/use-members';

type Props = {
  room: { id: string; name: string; visibility?: string };
  me: { id: number };
  members: Members;
  onClose?: () => void;
};

/** Owners and admins appoint moderators (protocol §6.2). */
const APPOINTS = 3;

type Banned = { room: string; id: number; name: string };

export function MembersPanel({ room, me, members, onClose }: Props) {
  const { members: list, myStanding, moderates, error: loadError, refresh } = members;
  const [invitee, setInvitee] = useState('');
  const [unbanName, setUnbanName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The API lists no bans, and a banned guest has no name it can resolve
  // (no username, no longer a member): keep the ids of the bans placed here
  // so that they can still be lifted.
  const [banned, setBanned] = useState<Banned[]>([]);
  const ids = { invite: useId(), unban: useId(), title: useId() };

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

  const onUnbanByName = (e: FormEvent) => {
    e.preventDefault();
    const name = unbanName.trim();
    if (!name) return;
    void act(async () => {
      await unbanMember(room.id, byUsername(name));
      setUnbanName('');
    }, `The ban on ${name} was lifted.`);
  };

  const bannedHere = banned.filter((b) => b.room === room.id);
  const canAppoint = myStanding >= APPOINTS;

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
              <span className="member-name">{name}</span>
              {m.user.username && m.user.username !== name && <span className="muted"> @{m.user.username}</span>}
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
                      <button
                        type="button"
                        className="link"
                        aria-label={`Kick ${name}`}
                        disabled={busy}
                        onClick={() => void act(() => kickMember(room.id, byId(id)), `${name} was kicked.`)}
                      >
                        Kick
                      </button>
                      <button
                        type="button"
                        className="link danger"
                        aria-label={`Ban ${name}`}
                        disabled={busy}
                        onClick={() =>
                          void act(async () => {
                            await banMember(room.id, byId(id));
                            setBanned((b) => [...b.filter((x) => x.room !== room.id || x.id !== id), { room: room.id, id, name }]);
                          }, `${name} was banned.`)
                        }
                      >
                        Ban
                      </button>
                    </>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {moderates && bannedHere.length > 0 && (
        <>
          <h3 id={`${ids.title}-banned`}>Banned here</h3>
          <ul className="member-list" aria-labelledby={`${ids.title}-banned`}>
            {bannedHere.map((b) => (
              <li key={b.id}>
                <span className="member-name">{b.name}</span>
                <span className="member-actions">
                  <button
                    type="button"
                    className="link"
                    // Not "Unban …": a search for the "Ban <name>" button would find it too.
                    aria-label={`Lift ban on ${b.name}`}
                    disabled={busy}
                    onClick={() =>
                      void act(async () => {
                        await unbanMember(room.id, byId(b.id));
                        setBanned((all) => all.filter((x) => x !== b));
                      }, `The ban on ${b.name} was lifted.`)
                    }
                  >
                    Lift ban
                  </button>
                </span>
              </li>
            ))}
          </ul>
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
      {moderates && (
        <form className="panel-form" onSubmit={onUnbanByName}>
          <label htmlFor={ids.unban}>Banned username</label>
          <div className="row">
            <input id={ids.unban} value={unbanName} autoComplete="off" onChange={(e) => setUnbanName(e.target.value)} />
            <button type="submit" disabled={busy}>
              Lift ban
            </button>
          </div>
        </form>
      )}
      {notice && (
        <p className="notice" aria-live="polite">
          {notice}
        </p>
      )}
      {(error ?? loadError) && (
        <p className="form-error" role="alert">
          {error ?? loadError}
        </p>
      )}
    </section>
  );
}
