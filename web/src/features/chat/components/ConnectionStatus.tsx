// The connection state, in the page's only role="status" element.

import { useEffect, useState } from 'react';
import { connectionDetail, connectionLabel, waitingText } from '../core/connection-text';
import { useChatState } from '../hooks/chat-context';

export function ConnectionStatus() {
  const connection = useChatState((s) => s.connection);
  const waiting = useChatState((s) => s.pending.filter((p) => p.state === 'pending').length);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (connection.kind !== 'reconnecting') return;
    const tick = () => setNow(Date.now());
    const id = setInterval(tick, 250);
    const first = setTimeout(tick, 0);
    return () => {
      clearInterval(id);
      clearTimeout(first);
    };
  }, [connection]);

  const detail = connectionDetail(connection, now);
  const waitingNote = waitingText(connection, waiting);
  // The live region holds only the state's label, so a screen reader speaks
  // each change of state once; the ticking countdown sits outside it, hidden
  // from assistive technology.
  return (
    <p
      className={`connection connection-${connection.kind}`}
      title={connection.kind === 'offline' ? connection.reason : undefined}
    >
      <span role="status">{connectionLabel(connection)}</span>
      {detail && <span aria-hidden="true">{detail}</span>}
      {/* Next to the state, not in its live region: the region says each
          change of connection once, not each message queued meanwhile. */}
      {waitingNote && <span className="waiting">{waitingNote}</span>}
    </p>
  );
}
