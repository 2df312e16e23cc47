"""Documents generated from a partnership's own data: concept note, letter of intent, agreement."""
