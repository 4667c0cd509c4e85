"""Small mutants of a reference implementation, made by rewriting its syntax tree.

Kinds: flipped comparisons, off-by-one integer constants, swapped player ids (0 <-> 1), and dropped
statements. Only the bodies of the protocol functions and their helpers are mutated, never the
module's imports.
"""

from __future__ import annotations

import ast
import random
from dataclasses import dataclass

FLIPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
         ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In}


@dataclass
class Mutant:
    """One mutated program and a description of the change."""

    description: str
    source: str


def _sites(tree: ast.Module) -> list[tuple[str, ast.AST, int]]:
    """Every mutable place: (kind, node, index within the node)."""
    sites = []
    for function in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(function):
            if isinstance(node, ast.Compare):
                sites += [("flip", node, i) for i, op in enumerate(node.ops) if type(op) in FLIPS]
            elif isinstance(node, ast.Constant) and type(node.value) is int:
                sites.append(("off_by_one", node, 0))
                if node.value in (0, 1):
                    sites.append(("swap_player", node, 0))
            if isinstance(node, (ast.FunctionDef, ast.For, ast.While, ast.If, ast.With)):
                body = node.body
                if len(body) > 1:
                    sites += [("drop", node, i) for i, stmt in enumerate(body)
                              if not isinstance(stmt, (ast.Return, ast.FunctionDef, ast.Expr))]
    return sites


def _apply(source: str, kind: str, site_number: int) -> tuple[str, str]:
    tree = ast.parse(source)
    site_kind, node, index = _sites(tree)[site_number]
    assert site_kind == kind
    line = getattr(node, "lineno", "?")
    if kind == "flip":
        old = node.ops[index]
        node.ops[index] = FLIPS[type(old)]()
        description = f"line {line}: {type(old).__name__} -> {type(node.ops[index]).__name__}"
    elif kind == "off_by_one":
        description = f"line {line}: {node.value} -> {node.value + 1}"
        node.value += 1
    elif kind == "swap_player":
        description = f"line {line}: {node.value} -> {1 - node.value}"
        node.value = 1 - node.value
    else:
        dropped = node.body[index]
        description = f"line {dropped.lineno}: dropped {ast.unparse(dropped).splitlines()[0][:60]}"
        node.body[index] = ast.Pass()
    return description, ast.unparse(tree)


def make_mutants(source: str, count: int, seed: int) -> list[Mutant]:
    """Up to `count` distinct mutants of a source file, sites drawn at random (seeded)."""
    if count <= 0:
        return []
    sites = _sites(ast.parse(source))
    order = list(range(len(sites)))
    random.Random(seed).shuffle(order)
    mutants, seen = [], {ast.unparse(ast.parse(source))}
    for number in order:
        description, mutated = _apply(source, sites[number][0], number)
        if mutated not in seen:
            seen.add(mutated)
            mutants.append(Mutant(f"{sites[number][0]} {description}", mutated))
        if len(mutants) == count:
            break
    return mutants
