"""The index: chunk catalogue (SQLite), vector store (Chroma) and lexical index (BM25)."""
