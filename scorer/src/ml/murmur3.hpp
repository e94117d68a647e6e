#pragma once

// Spark's MurmurHash3 x86_32 of a string's UTF-8 bytes, shared by the hashing stages
// (FeatureHasher, HashingTF), and the size check of the dense vectors they fill.

#include <cstddef>
#include <cstdint>
#include <string>

#include "dbk/result.hpp"

namespace dbk::scorer::detail {

/// The seed Spark's feature hashing uses.
constexpr std::uint32_t kSparkHashSeed = 42;

/// Murmur3_x86_32.hashUnsafeBytes2 (Spark 3.0+): the tail bytes mixed as one little-endian
/// word. With `legacy_tail`, hashUnsafeBytes (Spark 2.x's HashingTF): each tail byte,
/// sign-extended, mixed as a word of its own.
std::int32_t spark_murmur3(const std::string& s, std::uint32_t seed, bool legacy_tail = false);

/// Utils.nonNegativeMod.
std::size_t non_negative_mod(std::int32_t x, std::size_t mod);

/// The scorer holds hashed vectors densely: an error naming the stage when `rows` vectors of
/// `width` elements would take more than 1 GiB.
Status check_dense_hashed(const std::string& stage, std::size_t width, std::size_t rows);

}  // namespace dbk::scorer::detail
