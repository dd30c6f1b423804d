"""The seed tutorial's FastAPI chat server, as a reference peer for `webchat bench`.

Written from the seed document (/work/shared/seed): one ConnectionManager
holding every open socket in a list, and every text frame a client sends
broadcast to all of them as {"time", "clientId", "message"}; on disconnect
the others get "Offline". No persistence, no rooms, no limits: it is the
design webchat replaced, kept as close to the tutorial as the bench allows,
not tuned.

Departures from the tutorial, each because the bench (or the seed protocol
that webchat kept, docs/protocol.md section 5) needs it:
- `client_id` is a string, not an `int`: the bench connects as
  `/ws/b<run>-<role><n>`, which the tutorial's `int` path parameter refuses.
  It is sent back as a JSON number when it is all digits (as webchat does),
  so the tutorial's React page still compares it with its own numeric id.
- `time` is taken per message (UTC HH:MM, as webchat), not once at connect.
- A send to a socket that has gone away drops that socket instead of raising
  out of the sender's loop: in the tutorial one dead peer ends the handler of
  whoever happened to be broadcasting.
- CORS is left out: it applies to HTTP requests, not WebSocket upgrades, and
  the bench makes none.
"""

import json
from datetime import datetime, timezone
from typing import List, Union

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()

# The largest integer JavaScript compares exactly; above it the id stays a string.
MAX_SAFE_INTEGER = 2**53 - 1


def client_id_value(client_id: str) -> Union[int, str]:
    """All digits without a leading zero and within 2^53 - 1: a number, else a string."""
    if client_id.isascii() and client_id.isdigit():
        if (client_id == "0" or not client_id.startswith("0")) and int(client_id) <= MAX_SAFE_INTEGER:
            return int(client_id)
    return client_id


def frame(client_id: Union[int, str], message: str) -> str:
    now = datetime.now(timezone.utc).strftime("%H:%M")
    return json.dumps({"time": now, "clientId": client_id, "message": message})


class ConnectionManager:
    def __init__(self) -> None:
        self.active_connections: List[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active_connections.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        # A socket can be dropped twice: by a failed send and by its own handler.
        if websocket in self.active_connections:
            self.active_connections.remove(websocket)

    async def send_personal_message(self, message: str, websocket: WebSocket) -> None:
        await websocket.send_text(message)

    async def broadcast(self, message: str) -> None:
        # Over a copy: other handlers connect and disconnect while this one
        # awaits each send (one at a time, as in the tutorial).
        for connection in list(self.active_connections):
            try:
                await connection.send_text(message)
            except Exception:  # noqa: BLE001 - any failed send means that socket is gone
                self.disconnect(connection)


manager = ConnectionManager()


@app.get("/")
async def root() -> dict:
    return {"message": "Hello World"}


@app.websocket("/ws/{client_id}")
async def websocket_endpoint(websocket: WebSocket, client_id: str) -> None:
    await manager.connect(websocket)
    who = client_id_value(client_id)
    try:
        while True:
            data = await websocket.receive_text()
            await manager.broadcast(frame(who, data))
    except WebSocketDisconnect:
        manager.disconnect(websocket)
        await manager.broadcast(frame(who, "Offline"))
