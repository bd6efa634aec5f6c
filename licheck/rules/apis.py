"""The catalogue of hosted API products (rules/apis.yaml): data, not code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from licheck import resources


@dataclass(slots=True, frozen=True)
class Provider:
    id: str
    name: str
    terms: tuple[str, ...]
    products: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    aliases: tuple[str, ...]
    product_terms: dict[str, tuple[str, ...]]

    def terms_for(self, product: str) -> tuple[str, ...]:
        return self.terms + self.product_terms.get(product.lower(), ())


@dataclass(slots=True, frozen=True)
class ApiMention:
    provider: str
    product: str
    alias: str


class ApiCatalogue:
    def __init__(self, providers: list[Provider]) -> None:
        self.providers = {p.id: p for p in providers}
        alias_pairs = sorted(((a, p) for p in providers for a in p.aliases), key=lambda t: -len(t[0]))
        self._alias_re = (
            re.compile(
                r"(?<![A-Za-z0-9_-])(" + "|".join(re.escape(a) for a, _ in alias_pairs) + r")(?![A-Za-z0-9_-])",
                re.IGNORECASE,
            )
            if alias_pairs
            else None
        )
        self._alias_owner = {a.lower(): p.id for a, p in alias_pairs}

    def is_product(self, provider: str, product: str) -> bool:
        p = self.providers.get(provider.lower())
        if p is None:
            return False
        name = product.lower()
        return name in p.products or any(rx.match(name) for rx in p.patterns)

    def provider(self, provider_id: str) -> Provider | None:
        return self.providers.get(provider_id.lower())

    def mentions(self, text: str) -> list[ApiMention]:
        """API products named in a sentence ("generated with GPT-4"): linear-time alternation scan."""
        if self._alias_re is None:
            return []
        out: list[ApiMention] = []
        for m in self._alias_re.finditer(text):
            alias = m.group(1)
            provider = self._alias_owner[alias.lower()]
            product = re.sub(r"[^a-z0-9.]+", "-", alias.lower()).strip("-")
            for prefix in ("openai-", "google-"):
                if product.startswith(prefix):
                    product = product[len(prefix) :]
            out.append(ApiMention(provider, product, alias))
        return out


@lru_cache(maxsize=1)
def load_catalogue() -> ApiCatalogue:
    from licheck.rules.compiled import bundle

    data = bundle(resources.rules_dir(), packaged=True)["apis"]
    providers = []
    for p in data.get("providers", []):
        providers.append(
            Provider(
                id=p["id"],
                name=p.get("name", p["id"]),
                terms=tuple(p.get("terms", [])),
                products=frozenset(x.lower() for x in p.get("products", [])),
                patterns=tuple(re.compile(x) for x in p.get("product_patterns", [])),
                aliases=tuple(p.get("aliases", [])),
                product_terms={k.lower(): tuple(v) for k, v in (p.get("product_terms") or {}).items()},
            )
        )
    return ApiCatalogue(providers)
