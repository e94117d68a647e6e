#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "dbk/api_error.hpp"

namespace dbk {

/// Either a value or an ApiError (shaped like google-cloud-cpp's StatusOr). `*`, `->` on an
/// error and error() on a value are a programming mistake and throw std::bad_variant_access
/// in every build; `value()` on an error throws ApiException, which carries the error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(ApiError error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& operator*() & { return std::get<0>(data_); }
  const T& operator*() const& { return std::get<0>(data_); }
  T&& operator*() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &std::get<0>(data_); }
  const T* operator->() const { return &std::get<0>(data_); }

  T& value() & {
    throw_if_error();
    return std::get<0>(data_);
  }
  const T& value() const& {
    throw_if_error();
    return std::get<0>(data_);
  }
  T&& value() && {
    throw_if_error();
    return std::get<0>(std::move(data_));
  }

  const ApiError& error() const& { return std::get<1>(data_); }
  ApiError&& error() && { return std::get<1>(std::move(data_)); }

 private:
  void throw_if_error() const {
    if (!ok()) throw ApiException(std::get<1>(data_));
  }
  std::variant<T, ApiError> data_;
};

/// Result of an operation with no value: success or an ApiError.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(ApiError error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  void value() const {
    if (failed_) throw ApiException(error_);
  }
  const ApiError& error() const& { return error_; }
  ApiError&& error() && { return std::move(error_); }

 private:
  ApiError error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace dbk
