// core/sql/statement_splitter.h
//
// Cuts a script of several statements into single statements, because both backends prepare
// one statement at a time. A ';' ends a statement unless it is inside a quoted string or
// identifier ('...', "...", `...`), a comment (-- , #, /* */), or the BEGIN ... END body of a
// CREATE TRIGGER / PROCEDURE / FUNCTION. Client-side DELIMITER lines are not supported.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hub::sql {

// Statements without their final ';', trimmed; empty and comment-only pieces are dropped.
std::vector<std::string> splitStatements(std::string_view script);

// The first keyword of a statement, upper-cased, after whitespace and comments ("INSERT").
std::string firstKeyword(std::string_view sql);

}  // namespace hub::sql
