// The connection state, in the page's only role="status" element.

import { useEffect, useState } from 'react';
import { connectionText } from '../core/connection-text';
import { useChatState } from '../hooks/chat-context';

export function ConnectionStatus() {
  const connection = useChatState((s) => s.connection);
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

  return (
    <p
      role="status"
      className={`connection connection-${connection.kind}`}
      title={connection.kind === 'offline' ? connection.reason : undefined}
    >
      {connectionText(connection, now)}
    </p>
  );
}
