"""A live Kazoo Crossbar API as an import source: log in, walk the account tree, read each account's
users and devices, following Kazoo's pagination, retrying 429 and 5xx with backoff, within a rate."""

import asyncio
import hashlib
import time

import aiohttp

from crossbar_py.importer import documents
from crossbar_py.importer.dump import Bundle

RETRIES = 5
BACKOFF = 0.5
PAGE_SIZE = 500


class SourceError(RuntimeError):
    """The Kazoo API refused a request or kept failing."""


class ApiSource:
    """Kazoo's Crossbar API, read with a reseller's or superduper's credentials."""

    def __init__(self, url: str, api_key=None, credentials=None, rate: float = 0, page_size: int = PAGE_SIZE):
        self.base = url.rstrip("/")
        self.page_size = page_size
        self.name = f"api:{self.base}"
        self.api_key, self.credentials = api_key, credentials
        self.interval = 1 / rate if rate else 0
        self._next = 0.0
        self._pace = asyncio.Lock()
        self.session: aiohttp.ClientSession | None = None
        self.token, self.root = None, None
        self._ids: list | None = None
        self._trees: dict = {}

    async def _login(self) -> None:
        if self.api_key:
            path, data = "/v2/api_auth", {"api_key": self.api_key}
        elif self.credentials:
            user, password, account_name = self.credentials
            digest = hashlib.md5(f"{user.lower()}:{password}".encode()).hexdigest()
            path, data = "/v2/user_auth", {"credentials": digest, "account_name": account_name}
        else:
            raise SourceError("--api-key, or --user with --password and --account-name, is required")
        body = await self._request("PUT", path, json={"data": data})
        self.token, self.root = body["auth_token"], body["data"]["account_id"]

    async def _wait_turn(self) -> None:
        if not self.interval:
            return
        async with self._pace:
            delay = self._next - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = max(self._next, time.monotonic()) + self.interval

    async def _request(self, method: str, path: str, **kw) -> dict:
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        headers: dict[str, str] = {"X-Auth-Token": self.token} if self.token else {}
        for attempt in range(RETRIES):
            await self._wait_turn()
            try:
                async with self.session.request(method, self.base + path, headers=headers, **kw) as resp:
                    if resp.status == 429 or resp.status >= 500:
                        retry_after = resp.headers.get("Retry-After", "")
                        wait = float(retry_after) if retry_after.isdigit() else BACKOFF * 2**attempt
                        await asyncio.sleep(wait)
                        continue
                    body = await resp.json(content_type=None)
                    if resp.status >= 400:
                        raise SourceError(f"{method} {path}: {resp.status} {body.get('message')}")
                    return body
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(BACKOFF * 2**attempt)
        raise SourceError(f"{method} {path}: no answer after {RETRIES} attempts")

    async def get(self, path: str, **params) -> dict:
        """One GET, logged in first."""
        if self.token is None:
            await self._login()
        return await self._request("GET", path, params=params)

    async def pages(self, path: str):
        """Every element of a paginated listing (start_key / next_start_key)."""
        params = {"page_size": str(self.page_size)}
        while True:
            body = await self.get(path, **params)
            for item in body.get("data") or []:
                yield item
            if not body.get("next_start_key"):
                return
            params["start_key"] = body["next_start_key"]

    async def account_ids(self) -> list:
        """The credentials' account, then every descendant."""
        if self._ids is None:
            if self.token is None:
                await self._login()
            self._ids, self._trees = [self.root], {self.root: []}
            async for item in self.pages(f"/v2/accounts/{self.root}/descendants"):
                if item["id"] != self.root:
                    self._ids.append(item["id"])
                    if isinstance(item.get("tree"), list):  # some Kazoo versions list the tree: no extra request
                        self._trees[item["id"]] = self._below_root(item["tree"])
        return self._ids

    async def count(self) -> int:
        """How many accounts the tree below (and with) the credentials' account holds."""
        return len(await self.account_ids())

    def _below_root(self, tree: list) -> list:
        return tree[tree.index(self.root) :] if self.root in tree else [self.root]

    async def _tree(self, account_id: str) -> list:
        if account_id not in self._trees:
            parents = [p["id"] for p in (await self.get(f"/v2/accounts/{account_id}/parents"))["data"]]
            self._trees[account_id] = self._below_root(parents)
        return self._trees[account_id]

    async def accounts(self):
        """Bundles in depth order: the credentials' account first, then its descendants."""
        trees = [(account_id, await self._tree(account_id)) for account_id in await self.account_ids()]
        for account_id, tree in sorted(trees, key=lambda t: len(t[1])):
            doc = (await self.get(f"/v2/accounts/{account_id}"))["data"]
            doc["_api_key"] = (await self.get(f"/v2/accounts/{account_id}/api_key"))["data"].get("api_key")
            yield Bundle(doc, tree, self)

    async def account_docs(self, account_id: str) -> list:
        """The account's users and devices, each read whole."""
        docs = []
        for kind, plural in (("user", "users"), ("device", "devices"), *documents.PBX.items()):
            async for item in self.pages(f"/v2/accounts/{account_id}/{plural}"):
                doc = (await self.get(f"/v2/accounts/{account_id}/{plural}/{item['id']}"))["data"]
                docs.append({**doc, "_kind": kind})
        return docs

    async def registrations(self, account_id: str) -> list:
        """Kazoo's live registrations of the account."""
        return (await self.get(f"/v2/accounts/{account_id}/registrations"))["data"]

    async def close(self) -> None:
        """Close the HTTP session."""
        if self.session is not None:
            await self.session.close()
