# Exported CMake package: find_package(dbk) gives dbk::dbk (and dbk::scorer when built).
include(CMakePackageConfigHelpers)

set(DBK_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/dbk")

install(EXPORT dbkTargets NAMESPACE dbk:: DESTINATION "${DBK_CMAKE_DIR}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/dbkConfig.cmake.in"
                              "${CMAKE_CURRENT_BINARY_DIR}/dbkConfig.cmake"
                              INSTALL_DESTINATION "${DBK_CMAKE_DIR}")
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/dbkConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/dbkConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/dbkConfigVersion.cmake"
        DESTINATION "${DBK_CMAKE_DIR}")
