// One row of either side of a comparison, its byte encoding (spill files and the in-memory
// buffer use the same) and the per-key rules that turn rows into a CompareReport.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/scorer/score.hpp"

namespace dbk::scorer::detail {

enum class Side : std::uint8_t { kScored = 0, kExpected = 1 };

struct CompareRow {
  enum class Vector : std::uint8_t { kNull = 0, kValues = 1, kUnreadable = 2 };
  Side side = Side::kScored;
  std::string key;
  std::uint64_t seq = 0;  ///< position in its side's stream
  std::uint64_t row = 0;  ///< scored: the input row examples name
  bool prediction_null = false;
  double prediction = 0;
  Vector probability_state = Vector::kNull;
  std::vector<double> probability;
};

void encode_row(const CompareRow& row, std::string& out);
/// Decodes the row at `in` and advances it; false when the bytes are not a whole row.
bool decode_row(std::string_view& in, CompareRow& row);
/// Bytes a row takes in memory, for the budget.
std::size_t row_footprint(const CompareRow& row);

/// A total order on join keys whose equality is byte equality: part by part (\x1f separates
/// the key columns' texts), nulls first, then canonical integers by value, then other texts
/// by bytes, so that tables sorted by an integer key are ascending here too.
int compare_keys(std::string_view a, std::string_view b);

/// Applies the comparison's rules to the rows of one key and accumulates the report.
class Tally {
 public:
  Tally(const CompareOptions& options, CompareReport& report);
  /// Whether both sides had a probability column (decided once both sides' first batch came).
  void set_compare_probability(bool on) { probability_ = on; }
  /// `expected` and `scored`: every row of one key on each side, each in stream order.
  void key_group(const std::vector<const CompareRow*>& expected,
                 const std::vector<const CompareRow*>& scored);
  /// Moves the first max_examples examples, in scored row order, into the report.
  void finish();

 private:
  struct Example {
    std::uint64_t seq;
    int part;
    std::string text;
  };
  void compare(const CompareRow& s, const CompareRow& e);
  // Keeps the examples that may be among the first max_examples; text is built only for them.
  template <typename MakeText>
  void add_example(std::uint64_t seq, int part, MakeText make_text) {
    if (options_.max_examples == 0) return;
    if (has_cutoff_ && (seq > cutoff_seq_ || (seq == cutoff_seq_ && part > cutoff_part_))) return;
    examples_.push_back({seq, part, make_text()});
    if (examples_.size() >= 2 * options_.max_examples + 16) trim();
  }
  void trim();
  const CompareOptions& options_;
  CompareReport& report_;
  bool probability_ = false;
  std::vector<Example> examples_;
  bool has_cutoff_ = false;  ///< examples_ once held max_examples ahead of the cutoff
  std::uint64_t cutoff_seq_ = 0;
  int cutoff_part_ = 0;
};

}  // namespace dbk::scorer::detail
