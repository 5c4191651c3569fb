"""A tab whose backend worker died keeps its state when it reconnects to another worker.

With Redis, Reflex records which worker holds each tab's websocket. A worker killed outright
leaves its records behind until they expire, and Reflex then takes a tab reconnecting under a
recorded token for a copy of a tab still open elsewhere: it hands it a new token, and the tab's
state (its filters, its page) is gone. Here every worker holds a Redis subscription to its own
presence channel; Redis drops it the moment the worker's process dies (the kernel closes its
socket), and a record whose worker has no subscriber is dropped before the tab is linked, so the
tab gets its own state back. A duplicated tab of a live worker still gets a new token.
"""

import asyncio
import logging
import pickle

from reflex.utils.token_manager import RedisTokenManager


def _presence_channel(instance_id: str) -> str:
    return f"prm:worker-present:{instance_id}"


class ReclaimingTokenManager(RedisTokenManager):
    """Reflex's Redis token manager, which frees the tokens of dead workers for their tabs."""

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        key = self._get_redis_key(token)
        record = await self.redis.get(key)
        if record is not None:
            owner = pickle.loads(record).instance_id  # noqa: S301 - written by Reflex
            if owner != self.instance_id and not await self._present(owner):
                await self.redis.delete(key)
        return await super().link_token_to_sid(token, sid)

    async def _present(self, instance_id: str) -> bool:
        [(_, subscribers)] = await self.redis.pubsub_numsub(_presence_channel(instance_id))
        return subscribers > 0


async def keep_worker_present(app) -> None:
    """Lifespan task: install the manager above (before any tab connects), then stay
    subscribed to this worker's presence channel for as long as the worker lives."""
    namespace = app.event_namespace
    current = getattr(namespace, "_token_manager", None)
    if not isinstance(current, RedisTokenManager):
        return  # one process, state in memory: nothing to reclaim
    manager = ReclaimingTokenManager(current.redis)
    manager.instance_id = current.instance_id
    namespace._token_manager = manager
    while True:
        instance_id = manager.instance_id  # Reflex renews it once per forked worker
        try:
            async with manager.redis.pubsub() as pubsub:
                await pubsub.subscribe(_presence_channel(instance_id))
                while manager.instance_id == instance_id:
                    await pubsub.get_message(timeout=1.0)
        except Exception:  # Redis away for a moment: Reflex reports it; subscribe again
            logging.getLogger(__name__).warning("worker presence: Redis unreachable")
            await asyncio.sleep(1.0)
