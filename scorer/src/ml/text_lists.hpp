#pragma once

#include <string>

#include "ml/stage.hpp"

namespace dbk::scorer::detail {

/// The lists of strings a text stage reads from `input`: an error naming the stage when a live
/// row's list is null, as Spark's UDFs fail on a null list (string_lists.cpp).
Result<const ScoredColumn*> live_string_lists(Frame& frame, const std::string& stage,
                                              const std::string& input);

/// An output list-of-strings column of `rows` null rows.
ScoredColumn new_string_list_column(const std::string& name, std::size_t rows);

}  // namespace dbk::scorer::detail
