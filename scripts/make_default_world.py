"""Generate ``mockserver/fixtures/default_world.yaml``, the mock's default world.

Deterministic (a fixed seed): running it again writes the same file. Usage::

    .venv/bin/python scripts/make_default_world.py [--check]

``--check`` exits 1 when the committed fixture differs from what would be generated.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import yaml

SEED = 20261121
OUTPUT = Path(__file__).resolve().parent.parent / "mockserver" / "fixtures" / "default_world.yaml"

PRODUCT_KINDS: dict[str, dict[str, Any]] = {
    "headphones": {
        "nouns": [
            "Wireless Headphones",
            "Noise-Cancelling Headphones",
            "Earbuds",
            "Studio Headphones",
        ],
        "features": [
            "active noise cancellation",
            "30-hour battery life",
            "bluetooth 5.3",
            "foldable design",
            "low-latency gaming mode",
            "built-in microphone",
        ],
        "tags": ["audio", "wireless", "bluetooth", "noise-cancelling", "travel"],
        "brands": ["Sonora", "Auralis", "Beatline", "Quietwave"],
        "price": (29, 399),
    },
    "laptops": {
        "nouns": ["Ultrabook", "Gaming Laptop", "Business Laptop", "2-in-1 Laptop"],
        "features": [
            "16 GB of memory",
            "a 1 TB solid-state drive",
            "a 14-inch OLED display",
            "all-day battery",
            "a backlit keyboard",
            "a dedicated graphics card",
        ],
        "tags": ["computer", "portable", "work", "gaming", "oled"],
        "brands": ["Lumen", "Corebook", "Vertex", "Nimbus"],
        "price": (499, 2999),
    },
    "smartphones": {
        "nouns": ["Smartphone", "Phone Pro", "Phone Mini", "Foldable Phone"],
        "features": [
            "a triple camera system",
            "5G connectivity",
            "a 120 Hz display",
            "fast wireless charging",
            "water resistance",
            "two days of battery",
        ],
        "tags": ["mobile", "camera", "5g", "android", "ios"],
        "brands": ["Pixelon", "Orbit", "Novaphone", "Kite"],
        "price": (199, 1599),
    },
    "cameras": {
        "nouns": ["Mirrorless Camera", "Action Camera", "Instant Camera", "Vlogging Camera"],
        "features": [
            "4K video recording",
            "image stabilisation",
            "a weather-sealed body",
            "interchangeable lenses",
            "a flip-out screen",
            "fast autofocus",
        ],
        "tags": ["photography", "video", "4k", "travel", "creator"],
        "brands": ["Optika", "Lensmark", "Framewise", "Shutterly"],
        "price": (89, 2499),
    },
    "running shoes": {
        "nouns": ["Running Shoes", "Trail Runners", "Racing Flats", "Walking Shoes"],
        "features": [
            "a cushioned midsole",
            "a breathable mesh upper",
            "a grippy outsole",
            "a carbon plate",
            "a wide toe box",
            "reflective details",
        ],
        "tags": ["running", "sports", "outdoor", "fitness", "trail"],
        "brands": ["Stride", "Pacer", "Trailhead", "Fleetfoot"],
        "price": (49, 249),
    },
    "coffee makers": {
        "nouns": ["Espresso Machine", "Drip Coffee Maker", "Pour-Over Kettle", "Coffee Grinder"],
        "features": [
            "a built-in grinder",
            "a milk frother",
            "programmable brewing",
            "a thermal carafe",
            "precise temperature control",
            "a compact footprint",
        ],
        "tags": ["kitchen", "coffee", "espresso", "home", "barista"],
        "brands": ["Brewster", "Crema", "Morning Ritual", "Kettleworks"],
        "price": (25, 899),
    },
    "backpacks": {
        "nouns": ["Travel Backpack", "Laptop Backpack", "Hiking Daypack", "Camera Bag"],
        "features": [
            "a padded laptop sleeve",
            "water-resistant fabric",
            "a hidden pocket",
            "ergonomic straps",
            "a 30-litre capacity",
            "a luggage pass-through",
        ],
        "tags": ["travel", "outdoor", "bags", "hiking", "commuting"],
        "brands": ["Wayfarer", "Summit", "Nomad", "Cargo"],
        "price": (35, 280),
    },
    "smartwatches": {
        "nouns": ["Smartwatch", "Fitness Tracker", "Sports Watch", "Hybrid Watch"],
        "features": [
            "heart-rate monitoring",
            "built-in GPS",
            "sleep tracking",
            "a week of battery life",
            "contactless payments",
            "an always-on display",
        ],
        "tags": ["wearable", "fitness", "health", "gps", "sports"],
        "brands": ["Pulse", "Chrono", "Tempo", "Wristly"],
        "price": (59, 799),
    },
}

ADJECTIVES = ["Pro", "Air", "Max", "Lite", "Plus", "Ultra", "Neo", "Classic"]

HELP_TOPICS: dict[str, list[tuple[str, str]]] = {
    "billing": [
        (
            "How to update your payment method",
            "Open Settings, choose Billing and replace the card on file. Invoices after the change use the new payment method.",
        ),
        (
            "Understanding your invoice",
            "Each invoice lists the credits used per namespace, taxes and the billing period. Download past invoices as PDF from the Billing page.",
        ),
        (
            "Requesting a refund",
            "Refunds for unused credits are available within 30 days. Contact support with the invoice number and the reason for the refund.",
        ),
        (
            "Changing your subscription plan",
            "Upgrades take effect immediately and are prorated; downgrades apply at the end of the billing period.",
        ),
    ],
    "account": [
        (
            "Resetting your password",
            "Use the Forgot password link on the sign-in page. The reset link expires after one hour; request a new one if it has expired.",
        ),
        (
            "Enabling two-factor authentication",
            "Turn on two-factor authentication under Security. Scan the QR code with an authenticator app and store the recovery codes safely.",
        ),
        (
            "Inviting team members",
            "Owners and admins can invite members by email. Invitations expire after seven days and can be resent from the Members page.",
        ),
        (
            "Deleting your account",
            "Deleting an account removes its namespaces, collections and API keys permanently after a 14-day grace period.",
        ),
    ],
    "api": [
        (
            "Creating an API key",
            "Create API keys under Organization Settings. Keys start with sk_ and are shown once; store them in a secret manager.",
        ),
        (
            "Handling rate limits",
            "Responses carry X-RateLimit headers. When you receive 429 Too Many Requests, wait for Retry-After seconds before retrying.",
        ),
        (
            "Paginating retriever results",
            "Use cursor pagination for stable pages: pass the cursor of the previous response unchanged to fetch the next page.",
        ),
        (
            "Filtering results with metadata",
            "Filters combine AND, OR and NOT over document fields such as metadata.category or metadata.year.",
        ),
        (
            "Choosing a namespace",
            "Every request carries the X-Namespace header. Retrievers, collections and executions are isolated per namespace.",
        ),
    ],
    "search": [
        (
            "Improving search relevance",
            "Add descriptive titles and tags to documents. Rerank stages reorder the top results with a cross-encoder for better relevance.",
        ),
        (
            "Using semantic search",
            "Semantic search compares query embeddings with document embeddings, so results match meaning rather than exact words.",
        ),
        (
            "Setting a minimum score",
            "Use min_score to drop weak matches. Scores range from 0 to 1; start around 0.2 and adjust with real queries.",
        ),
        (
            "Grouping results by a field",
            "group_by returns at most max_features documents per group, for example one product per brand.",
        ),
    ],
    "troubleshooting": [
        (
            "Execution failed: collection not found",
            "The retriever names a collection that does not exist in the namespace. Check collection_identifiers and the namespace header.",
        ),
        (
            "Budget exceeded errors",
            "Executions fail with Budget exceeded when the namespace has spent its credits. Raise the budget or wait for the next period.",
        ),
        (
            "Slow retriever executions",
            "Inspect stage_statistics to find the slowest stage. Large top_k values and rerank stages take the most time.",
        ),
        (
            "Webhook deliveries are failing",
            "Webhooks are retried with exponential backoff for 24 hours. Make sure your endpoint answers 2xx within ten seconds.",
        ),
    ],
}

SPANISH_TITLES = [
    (
        "Cómo restablecer tu contraseña",
        "Usa el enlace Olvidé mi contraseña en la página de inicio de sesión.",
    ),
    ("Cómo crear una clave de API", "Crea claves de API en la configuración de la organización."),
    (
        "Límites de uso de la API",
        "Cuando recibas un error 429, espera los segundos indicados en Retry-After.",
    ),
    ("Actualizar el método de pago", "Abre Configuración, elige Facturación y cambia la tarjeta."),
]

MEDIA_SUBJECTS = [
    ("Sunset over the harbour", ["sunset", "harbour", "boats", "golden hour"]),
    ("City skyline at night", ["city", "skyline", "night", "lights"]),
    ("Mountain trail timelapse", ["mountain", "hiking", "timelapse", "nature"]),
    ("Product unboxing", ["unboxing", "product", "review", "studio"]),
    ("Cooking tutorial: fresh pasta", ["cooking", "pasta", "kitchen", "tutorial"]),
    ("Street market crowd", ["market", "street", "people", "food"]),
    ("Surfing the big waves", ["surfing", "ocean", "waves", "sports"]),
    ("Wildlife in the savanna", ["wildlife", "safari", "animals", "nature"]),
    ("Conference keynote", ["conference", "keynote", "speaker", "technology"]),
    ("Snowy forest aerial view", ["snow", "forest", "drone", "aerial"]),
]

PLACES = [
    ("Lisbon", 38.7223, -9.1393),
    ("New York", 40.7128, -74.0060),
    ("Tokyo", 35.6762, 139.6503),
    ("Cape Town", -33.9249, 18.4241),
    ("Sydney", -33.8688, 151.2093),
    ("Paris", 48.8566, 2.3522),
    ("San Francisco", 37.7749, -122.4194),
    ("Reykjavik", 64.1466, -21.9426),
    ("Nairobi", -1.2921, 36.8219),
    ("Buenos Aires", -34.6037, -58.3816),
]

AUTHORS = [
    "Ana Ribeiro",
    "Ben Okafor",
    "Chen Wei",
    "Dana Levi",
    "Emil Novak",
    "Fatima Zahra",
    "Grace Kim",
    "Hugo Martin",
    "Isha Patel",
    "Jonas Berg",
]


def products(rng: random.Random) -> list[dict[str, Any]]:
    docs = []
    n = 0
    for category, kind in PRODUCT_KINDS.items():
        for _ in range(20):
            n += 1
            brand = rng.choice(kind["brands"])
            noun = rng.choice(kind["nouns"])
            title = f"{brand} {rng.choice(ADJECTIVES)} {noun} {rng.randint(2, 9)}"
            features = rng.sample(kind["features"], 3)
            text = (
                f"The {title} is a {category[:-1] if category.endswith('s') else category} "
                f"with {features[0]}, {features[1]} and {features[2]}."
            )
            low, high = kind["price"]
            docs.append(
                {
                    "document_id": f"doc_prod_{n:04d}",
                    "payload": {
                        "title": title,
                        "text": text,
                        "metadata": {
                            "category": category,
                            "brand": brand,
                            "tags": sorted(rng.sample(kind["tags"], 3)),
                            "year": rng.randint(2018, 2025),
                            "price": round(rng.uniform(low, high), 2),
                            "rating": round(rng.uniform(2.8, 5.0), 1),
                            "in_stock": rng.random() > 0.2,
                            "language": "en",
                        },
                    },
                }
            )
    return docs


def help_articles(rng: random.Random) -> list[dict[str, Any]]:
    docs = []
    n = 0
    for _round in range(3):
        for category, articles in HELP_TOPICS.items():
            for title, body in articles:
                n += 1
                suffix = ["", " (updated)", " for teams"][_round]
                docs.append(
                    {
                        "document_id": f"doc_help_{n:04d}",
                        "payload": {
                            "title": title + suffix,
                            "text": body,
                            "metadata": {
                                "category": category,
                                "tags": sorted(
                                    {
                                        category,
                                        *rng.sample(
                                            [
                                                "how-to",
                                                "faq",
                                                "guide",
                                                "reference",
                                                "security",
                                                "admin",
                                            ],
                                            2,
                                        ),
                                    }
                                ),
                                "year": rng.randint(2020, 2025),
                                "author": rng.choice(AUTHORS),
                                "language": "en",
                                "views": rng.randint(50, 50_000),
                                "rating": round(rng.uniform(3.0, 5.0), 1),
                            },
                        },
                    }
                )
    for title, body in SPANISH_TITLES:
        n += 1
        docs.append(
            {
                "document_id": f"doc_help_{n:04d}",
                "payload": {
                    "title": title,
                    "text": body,
                    "metadata": {
                        "category": "account",
                        "tags": ["faq"],
                        "year": 2024,
                        "author": rng.choice(AUTHORS),
                        "language": "es",
                        "views": rng.randint(50, 5_000),
                        "rating": 4.5,
                    },
                },
            }
        )
    return docs


def media(rng: random.Random) -> list[dict[str, Any]]:
    docs = []
    for n in range(1, 101):
        subject, tags = rng.choice(MEDIA_SUBJECTS)
        place, lat, lon = rng.choice(PLACES)
        media_type = "video" if rng.random() < 0.55 else "image"
        metadata: dict[str, Any] = {
            "category": rng.choice(["travel", "nature", "food", "sports", "technology"]),
            "media_type": media_type,
            "tags": sorted(rng.sample(tags, 3)),
            "year": rng.randint(2015, 2025),
            "author": rng.choice(AUTHORS),
            "language": rng.choice(["en", "en", "en", "es", "fr", "de"]),
            "resolution": rng.choice(["1080p", "4k", "720p"])
            if media_type == "video"
            else rng.choice(["12MP", "24MP", "48MP"]),
            "license": rng.choice(["cc-by", "royalty-free", "editorial"]),
        }
        if media_type == "video":
            metadata["duration_s"] = rng.randint(8, 900)
        if rng.random() < 0.8:
            metadata["location"] = {
                "lat": round(lat + rng.uniform(-0.05, 0.05), 4),
                "lon": round(lon + rng.uniform(-0.05, 0.05), 4),
            }
            metadata["place"] = place
        docs.append(
            {
                "document_id": f"doc_media_{n:04d}",
                "payload": {
                    "title": f"{subject} in {place}"
                    if media_type == "video"
                    else f"{subject}, {place}",
                    "text": f"{'A video' if media_type == 'video' else 'An image'} of {subject.lower()} shot in {place} by {metadata['author']}.",
                    "url": f"https://media.example.com/{media_type}s/{n:04d}.{'mp4' if media_type == 'video' else 'jpg'}",
                    "metadata": metadata,
                },
            }
        )
    return docs


RETRIEVERS = [
    {
        "retriever_id": "ret_product_search",
        "name": "product-search",
        "description": "Semantic search over the product catalog.",
        "collections": ["col_product_catalog"],
        "inputs": [
            {"name": "query", "type": "text", "description": "What the shopper is looking for."},
            {
                "name": "min_score",
                "type": "number",
                "default": 0.0,
                "description": "Drop weaker matches.",
            },
        ],
        "stages": [{"name": "semantic_search", "kind": "search"}],
        "default_top_k": 50,
        "credits_per_execution": 0.5,
    },
    {
        "retriever_id": "ret_support_kb",
        "name": "support-kb",
        "description": "Help-centre articles, searched then reranked.",
        "collections": ["col_help_articles"],
        "inputs": [
            {
                "name": "query",
                "type": "text",
                "required": True,
                "description": "The customer's question.",
            },
            {
                "name": "language",
                "type": "string",
                "default": "en",
                "field": "metadata.language",
                "description": "Article language (ISO 639-1).",
            },
        ],
        "stages": [{"name": "kb_search", "kind": "search"}, {"name": "rerank", "kind": "rerank"}],
        "default_top_k": 10,
        "credits_per_execution": 0.25,
    },
    {
        "retriever_id": "ret_media_library",
        "name": "media-library",
        "description": "Video and image metadata of the media library, filtered by media type.",
        "collections": ["col_media_assets"],
        "inputs": [
            {
                "name": "media_type",
                "type": "string",
                "required": True,
                "field": "metadata.media_type",
                "description": "'video' or 'image'.",
            },
            {"name": "query", "type": "text", "description": "Words describing the scene."},
        ],
        "stages": [
            {"name": "media_search", "kind": "search"},
            {"name": "media_type_filter", "kind": "filter"},
        ],
        "default_top_k": 25,
        "credits_per_execution": 1.0,
    },
    {
        "retriever_id": "ret_catalog_discovery",
        "name": "catalog-discovery",
        "description": "Products and media together: search, attribute filter, then cross-encoder rerank.",
        "collections": ["col_product_catalog", "col_media_assets"],
        "inputs": [
            {
                "name": "query",
                "type": "text",
                "default": "travel",
                "description": "Theme to discover.",
            },
            {
                "name": "filters",
                "type": "filters",
                "description": "Extra filter (same format as the request's filters).",
            },
        ],
        "stages": [
            {"name": "semantic_search", "kind": "search"},
            {"name": "attribute_filter", "kind": "filter"},
            {"name": "cross_encoder_rerank", "kind": "rerank"},
        ],
        "default_top_k": 20,
        "credits_per_execution": 1.5,
    },
]


def build() -> str:
    rng = random.Random(SEED)
    world = {
        "version": 1,
        "collections": [
            {
                "collection_id": "col_product_catalog",
                "name": "product-catalog",
                "documents": products(rng),
            },
            {
                "collection_id": "col_help_articles",
                "name": "help-articles",
                "documents": help_articles(rng),
            },
            {"collection_id": "col_media_assets", "name": "media-assets", "documents": media(rng)},
        ],
        "retrievers": RETRIEVERS,
    }
    header = "# Generated by scripts/make_default_world.py (deterministic); do not edit by hand.\n"
    return header + yaml.dump(
        world, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the fixture is stale")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale; run scripts/make_default_world.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(text.encode()) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
