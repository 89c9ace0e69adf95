"""The static embeddings: the same vectors WordLlama's own loader gives, from the files its
wheel ships, and a stored int8 form that keeps cosines."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from bot.language.embedding import DIM, embedder, from_blobs, to_blob

TEXTS = [
    "who is the villain of season 2",
    "Jessica Jones season 2 was officially confirmed in January 2016.",
    "Pokémon — ünïcödé, emoji 🙂 and || markup",
]


def test_vectors_equal_wordllamas_own() -> None:
    # In a child process: importing wordllama configures the root logger.
    code = (
        "import importlib.util, json, sys\n"
        "from pathlib import Path\n"
        "from wordllama import WordLlama\n"
        "spec = importlib.util.find_spec('wordllama')\n"
        "folder = Path(next(iter(spec.submodule_search_locations)))\n"
        "model = WordLlama.load(cache_dir=folder, disable_download=True)\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps(model.embed(texts, norm=True).tolist()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(TEXTS), capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    theirs = np.array(json.loads(out.stdout), dtype=np.float32)
    ours = embedder().embed(TEXTS)
    assert ours.shape == (len(TEXTS), DIM)
    assert np.allclose(ours, theirs, atol=1e-5)


def test_stored_vectors_keep_cosines_and_empty_text_is_zero() -> None:
    vectors = embedder().embed([*TEXTS, ""])
    assert not vectors[-1].any()
    stored = from_blobs([to_blob(v) for v in vectors])
    assert np.abs(stored @ stored.T - vectors @ vectors.T).max() < 0.03
    assert len(to_blob(vectors[0])) == DIM
    assert from_blobs([]).shape == (0, DIM)


def test_rare_words_take_more_tokens_than_everyday_ones() -> None:
    model = embedder()
    assert model.pieces("want") == 1
    assert model.pieces("daenerys") > 1


def test_one_text_alone_is_embedded_as_in_a_batch() -> None:
    """embed_one encodes its text alone (no batch): the same vector, bit for bit."""
    texts = [*TEXTS, "", "   ", "x " * 400]
    batch = embedder().embed(texts)
    for row, text in zip(batch, texts, strict=True):
        one = embedder().embed_one(text)
        assert one.dtype == np.float32 and np.array_equal(one, row), text
