#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// A Quartz cron expression as used by job schedules (`quartz_cron_expression`):
/// "sec min hour day-of-month month day-of-week [year]" with `* ? - , /` everywhere,
/// `L` and `W` in day-of-month (`L`, `L-3`, `15W`, `LW`), `L` and `#` in day-of-week
/// (`6L`, `2#3`), month names JAN–DEC and day names SUN–SAT (1 = Sunday, as in Quartz).
class QuartzCron {
 public:
  /// 400 INVALID_PARAMETER_VALUE naming the bad field when the expression cannot be parsed.
  static Result<QuartzCron> parse(const std::string& expression);

  /// The first firing time strictly after `after_ms` (epoch ms), evaluated in the IANA
  /// time zone `timezone_id` (e.g. "UTC", "America/Los_Angeles"); nullopt when there is
  /// none within ~5 years or the zone is unknown.
  std::optional<std::int64_t> next_after(std::int64_t after_ms,
                                         const std::string& timezone_id) const;

  /// True when `timezone_id` names a zone this machine knows (UTC or /usr/share/zoneinfo).
  static bool known_timezone(const std::string& timezone_id);

 private:
  bool day_matches(int year, int month, int day) const;

  std::bitset<60> seconds_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;   ///< 1..31
  std::bitset<13> months_;          ///< 1..12
  std::bitset<8> days_of_week_;     ///< 1..7, 1 = Sunday
  bool any_day_of_month_ = false;   ///< '?' or '*' in day-of-month
  bool any_day_of_week_ = false;    ///< '?' or '*' in day-of-week
  bool last_day_of_month_ = false;  ///< L / L-n
  int last_day_offset_ = 0;
  bool last_weekday_of_month_ = false;  ///< LW
  int nearest_weekday_to_ = 0;          ///< nW (0 = unused)
  int last_weekday_in_month_ = 0;       ///< dL: last <d> of the month (0 = unused)
  int nth_weekday_ = 0;                 ///< d#n: weekday d ...
  int nth_weekday_n_ = 0;               ///< ... n-th occurrence
  std::vector<bool> years_;             ///< empty = every year; else index year-1970
};

}  // namespace dbk::emulator
