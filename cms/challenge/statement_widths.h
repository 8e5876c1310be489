// cms/challenge/statement_widths.h
//
// Statement texts of a few fixed widths for the step submissions' multi-row statements: each
// connection caches a prepared statement per SQL text (core/sql/statement_cache.h), so a text
// for every batch width would be prepared again and again.
#pragma once

#include <cstddef>
#include <string>

namespace hub::cms::challenge {

// The width to pad a list of `n` values or rows to (1, 2, 4, 8, 16, 32, then multiples of 32:
// 13 texts up to 256; then multiples of 64: 25 texts up to a batch of 1,024), so a statement's
// text repeats and the connection's cached prepared form is reused instead of a prepare per
// batch. An `IN` list repeats a value; an upsert repeats a row (a no-op update). Finer steps
// (multiples of 8) made ~40 texts per statement, more than a connection's cache (64 statements)
// held with the other statements of a batch: each was prepared again.
std::size_t paddedWidth(std::size_t n);

// `groups` groups of `width` placeholders: "(?, ?),(?, ?)".
std::string placeholders(std::size_t groups, std::size_t width);

}  // namespace hub::cms::challenge
