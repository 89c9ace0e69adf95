"""Static sentence embeddings from WordLlama's packaged model: offline, loaded in ~0.1 s.

The ``wordllama`` wheel ships its weights (``weights/l2_supercat_256.safetensors``) and
tokenizer. Its own loader is not used: importing ``wordllama`` pulls in pydantic config
(~0.3 s) and calls ``logging.basicConfig`` at import, which would reconfigure the bot's
logging. Inference of a static model is a table lookup and a mean, so it is done here
from the package's files, exactly as WordLlama's ``embed(norm=True)`` does: tokenize
without special tokens, look up each token's row, average, normalise.

Vectors are stored as int8 (unit vector x 127): 256 bytes a fact, and the dot product of
two stored vectors divided by 127² is their cosine to within ~1%.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL = "l2_supercat"
DIM = 256
_SCALE = 127.0
_MAX_TOKENS = 256  # a fact is at most a few hundred characters; bounds a pasted novel


class ModelMissingError(RuntimeError):
    """The wordllama package (which carries the model files) is not installed."""


def _package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError("the wordllama package is not installed: pip install wordllama")
    return Path(next(iter(spec.submodule_search_locations)))


class Embedder:
    """Turns texts into unit vectors (float32) and their stored int8 form."""

    def __init__(self, folder: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or _package_dir()
        weights = folder / "weights" / f"{MODEL}_{DIM}.safetensors"
        tokenizer = folder / "tokenizers" / f"{MODEL.split('_')[0]}_supercat_tokenizer_config.json"
        if not weights.is_file() or not tokenizer.is_file():
            raise ModelMissingError(f"WordLlama's model files are missing under {folder}")
        self.table = np.ascontiguousarray(load_file(str(weights))["embedding.weight"], np.float32)
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (a text with no tokens gives zeros)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        for i, enc in enumerate(encoded):
            out[i] = self._unit(enc.ids)
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """embed([text])[0]: one text encoded alone, without a batch's fixed cost (~30 µs
        of a question's)."""
        return self._unit(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def _unit(self, token_ids: list[int]) -> np.ndarray:
        """The mean of the tokens' rows, normalised (zeros for no tokens)."""
        ids = np.asarray(token_ids[:_MAX_TOKENS], dtype=np.int64)
        if not len(ids):
            return np.zeros(DIM, dtype=np.float32)
        vec = self.table[np.clip(ids, 0, self.table.shape[0] - 1)].mean(axis=0)
        norm = float(np.linalg.norm(vec))
        if norm > 0:
            unit: np.ndarray = (vec / norm).astype(np.float32, copy=False)
            return unit
        return np.zeros(DIM, dtype=np.float32)

    def pieces(self, word: str) -> int:
        """How many tokens the model's vocabulary needs for ``word``: common English
        words are one, rare words and names several ("superman" is two, "daenerys" four)."""
        return len(self.tokenizer.encode(word, add_special_tokens=False).ids)


def to_blob(vector: np.ndarray) -> bytes:
    """A unit vector as 256 signed bytes."""
    return np.clip(np.rint(vector * _SCALE), -127, 127).astype(np.int8).tobytes()


def from_blobs(blobs: list[bytes]) -> np.ndarray:
    """Stored vectors back as float32 rows (unit length to within rounding)."""
    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), DIM)
    return raw.astype(np.float32) / _SCALE


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _shared() -> Embedder:
    return Embedder()


def embedder() -> Embedder:
    """The process's one model, loaded on first use (writes and free questions need it)."""
    with _lock:
        return _shared()


@lru_cache(maxsize=1 << 16)
def name_like(word: str) -> bool:
    """A rare word to the model's vocabulary (several pieces), as names are: what its
    embedding means is little more than its spelling. Some everyday words are too
    ("guy", "leaked"), but so are names a dictionary holds ("sherlock", "batman"), and
    a name the store doesn't know must never be answered with another subject's fact."""
    return word.isdigit() or embedder().pieces(word) > 1
