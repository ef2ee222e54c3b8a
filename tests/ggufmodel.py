"""A tiny llama GGUF for the tests, written with the `gguf` package (nothing is downloaded).

Real llama architecture, random weights, and a real SentencePiece-style vocabulary: the control
tokens, 256 byte-fallback tokens (so any text tokenizes, and any grammar can be satisfied) and a few
hundred common pieces; a chat template in the metadata. It cannot fix code; it exercises loading,
chat formatting, grammar-constrained sampling, log-probabilities, timeouts and verification.
"""

from __future__ import annotations

from pathlib import Path

PIECES = [
    "▁", "{", "}", "[", "]", '"', ":", ",", "▁{", "▁}", '":', '",', "▁\"", "edits", "search", "replace",
    "explanation", "const", "let", "return", "await", "function", "number", "string", "▁the", "▁a", "e", "t",
    "a", "o", "i", "n", "s", "r", "h", "l", "d", "c", "u", "m", "f", "p", "g", "w", "y", "b", "v", "k",
]  # fmt: skip
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def build_tiny_llama(path: Path, seed: int = 0, n_embd: int = 64, n_layer: int = 2) -> Path:
    import gguf
    import numpy as np

    rng = np.random.default_rng(seed)
    tokens = ["<unk>", "<s>", "</s>", *(f"<0x{b:02X}>" for b in range(256)), *PIECES]
    types = [2, 3, 3, *([6] * 256), *([1] * len(PIECES))]  # unknown, control, byte, normal
    scores = [0.0, 0.0, 0.0, *([0.0] * 256), *(-float(i) for i in range(len(PIECES)))]
    n_vocab, n_head, n_ff = len(tokens), 4, n_embd * 2

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tsfix-tiny-test-llama")
    writer.add_context_length(2048)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_chat_template(CHAT_TEMPLATE)

    def tensor(name: str, *shape: int) -> None:
        data = rng.standard_normal(shape).astype(np.float32) * (0.02 if len(shape) > 1 else 0.0)
        if len(shape) == 1:
            data += 1.0  # norms start at one
        writer.add_tensor(name, data)

    tensor("token_embd.weight", n_vocab, n_embd)
    tensor("output_norm.weight", n_embd)
    tensor("output.weight", n_vocab, n_embd)
    for i in range(n_layer):
        tensor(f"blk.{i}.attn_norm.weight", n_embd)
        tensor(f"blk.{i}.attn_q.weight", n_embd, n_embd)
        tensor(f"blk.{i}.attn_k.weight", n_embd, n_embd)
        tensor(f"blk.{i}.attn_v.weight", n_embd, n_embd)
        tensor(f"blk.{i}.attn_output.weight", n_embd, n_embd)
        tensor(f"blk.{i}.ffn_norm.weight", n_embd)
        tensor(f"blk.{i}.ffn_gate.weight", n_ff, n_embd)
        tensor(f"blk.{i}.ffn_up.weight", n_ff, n_embd)
        tensor(f"blk.{i}.ffn_down.weight", n_embd, n_ff)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
