#pragma once

// Turns decoded leaf columns back into rows (Dremel record assembly, see
// docs/reference/spark-models.md §4.8): flat columns go straight into typed vectors; nested fields
// are rebuilt one leaf at a time and then merged field by field, with LIST/MAP annotations
// (including the legacy 2-level shapes) turned into lists and maps.

#include <string>
#include <vector>

#include "dbk/scorer/table.hpp"
#include "parquet/column_reader.hpp"
#include "parquet/metadata.hpp"

namespace dbk::scorer::parquet {

/// The column type a top-level field becomes.
ColumnType column_type_of(const SchemaNode& field);

/// Appends `rows` rows of a flat (top-level, non-repeated primitive) field.
Status append_flat(const SchemaNode& leaf, LeafData& data, std::size_t rows, Column& out);

/// Appends `rows` rows of a nested field from the data of its leaves (in schema order).
Status append_nested(const SchemaNode& field, std::vector<LeafData>& leaves, std::size_t rows,
                     Column& out);

}  // namespace dbk::scorer::parquet
