"""The fixed vocabularies seeded catalogs draw from: colors, grids, classifications, styles."""

from __future__ import annotations

from typing import NamedTuple

_HUES = (
    "Azul",
    "Verde",
    "Vermelho",
    "Amarelo",
    "Rosa",
    "Roxo",
    "Laranja",
    "Marrom",
    "Cinza",
    "Bege",
    "Preto",
    "Branco",
    "Lilás",
    "Vinho",
    "Caramelo",
    "Salmão",
    "Pêssego",
    "Marfim",
    "Açaí",
    "Grafite",
)
_TONES = ("", " Claro", " Escuro", " Mescla", " Neon", " Pastel", " Queimado", " Céu", " Água")


def color_name(index: int) -> str:
    """The name of palette color ``index`` (0-based); unique for every index."""
    hue, rest = _HUES[index % len(_HUES)], index // len(_HUES)
    name = hue + _TONES[rest % len(_TONES)]
    cycle = rest // len(_TONES)
    return f"{name} {cycle + 1}" if cycle else name


def color_code(index: int) -> str:
    return f"{index + 1:03d}"


class Grid(NamedTuple):
    code: str
    name: str
    type: str
    sizes: tuple[str, ...]


GRIDS: tuple[Grid, ...] = (
    Grid("1", "PADRÃO P-GG", "Letras", ("P", "M", "G", "GG")),
    Grid("2", "PADRÃO PP-XGG", "Letras", ("PP", "P", "M", "G", "GG", "XGG")),
    Grid("3", "NUMÉRICA 36-44", "Numérica", ("36", "38", "40", "42", "44")),
    Grid("4", "INFANTIL 2-8", "Infantil", ("2", "4", "6", "8")),
    Grid("5", "CALÇADOS 34-39", "Calçados", ("34", "35", "36", "37", "38", "39")),
    Grid("6", "TAMANHO ÚNICO", "Único", ("U",)),
    Grid("7", "BÁSICA P-G", "Letras", ("P", "M", "G")),
)

#: (grid index, number of colors): every reference has 8 to 12 SKUs.
SHAPES: tuple[tuple[int, int], ...] = (
    (0, 2),
    (0, 3),
    (1, 2),
    (2, 2),
    (3, 2),
    (3, 3),
    (4, 2),
    (5, 8),
    (5, 10),
    (6, 3),
    (6, 4),
)

CLASSIFICATION_TYPES: dict[int, str] = {1: "CATEGORIA", 2: "MARCA", 3: "COLECAO"}

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Camiseta", "61091000"),
    ("Calça", "62034200"),
    ("Vestido", "62044200"),
    ("Saia", "62045200"),
    ("Blusa", "61061000"),
    ("Jaqueta", "62019300"),
    ("Bermuda", "62034200"),
    ("Moletom", "61102000"),
    ("Camisa", "62052000"),
    ("Macacão", "62114200"),
    ("Short", "62046200"),
    ("Cardigã", "61103000"),
)
_VALUES: dict[int, tuple[str, ...]] = {
    1: tuple(name for name, _ in CATEGORIES),
    2: ("Ponte Básicos", "Açaí Moda", "Lírio Jeans", "Sertão Urbano", "Maré Alta"),
    3: ("Verão 2025", "Inverno 2025", "Primavera-Verão 2026", "Alto Inverno 2026", "Permanente"),
}


def classification_values(type_code: int) -> tuple[str, ...]:
    """Value names of a classification type; types beyond the three known get generic values."""
    return _VALUES.get(type_code) or tuple(f"Valor {n} do tipo {type_code}" for n in range(1, 5))


def classification_code(index: int) -> str:
    return f"{index + 1:03d}"


STYLES: tuple[str, ...] = (
    "Básica",
    "Gola V",
    "Estampada",
    "Listrada",
    "Canelada",
    "Plissada",
    "Linho Orgânico",
    "Tricô Trançado",
    "Algodão Pima",
    "Malha Fria",
    "Jeans Índigo",
    "Crepe Açucarado",
    "Viscose Floral",
    "Moletinho Peluciado",
    "Cetim Acetinado",
    "Sarja Resinada",
)

PRICE_NAMES: dict[int, str] = {1: "VAREJO", 2: "ATACADO", 3: "E-COMMERCE"}
COST_NAMES: dict[int, str] = {1: "CUSTO MÉDIO", 2: "ÚLTIMA COMPRA"}
STOCK_NAMES: dict[int, str] = {1: "FÍSICO", 3: "FIS+INSPECAO", 4: "DEVOLUÇÕES", 10: "SHOWROOM"}
PRODUCTION_STATUSES: tuple[int, ...] = (5, 10, 20)
