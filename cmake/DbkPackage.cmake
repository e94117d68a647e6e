# Exported CMake package: find_package(dbk) gives dbk::dbk, dbk::testing (the test doubles)
# and dbk::scorer (when built).
include(CMakePackageConfigHelpers)

set(DBK_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/dbk")
if(BUILD_SHARED_LIBS)
  set(DBK_SHARED_LIBS ON)
else()
  set(DBK_SHARED_LIBS OFF)
endif()

install(EXPORT dbkTargets NAMESPACE dbk:: DESTINATION "${DBK_CMAKE_DIR}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/dbkConfig.cmake.in"
                              "${CMAKE_CURRENT_BINARY_DIR}/dbkConfig.cmake"
                              INSTALL_DESTINATION "${DBK_CMAKE_DIR}")
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/dbkConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/dbkConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/dbkConfigVersion.cmake"
        DESTINATION "${DBK_CMAKE_DIR}")

# Debian package (docs/packaging.md): `cpack -G DEB` in the release build directory writes
# dbk_<version>_<arch>.deb with everything `cmake --install` installs under /usr.
set(DBK_PACKAGE_MAINTAINER "dbk maintainers" CACHE STRING "Maintainer field of the .deb")
set(CPACK_PACKAGE_NAME dbk)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # dbk_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${DBK_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The extended description; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "dbk is a databricks-cli 0.18 compatible command-line tool (also installed as
`databricks` and `dbfs`), a local emulator of a Databricks workspace that runs
notebooks on PySpark, and a native scorer for Spark ML pipeline models. The
package also holds the libdbk client library, its headers and CMake package.")
# The shared libraries' dependencies (libcpprest, Boost.Program_options, OpenSSL, the Parquet
# codecs, the C++ runtime) come from dpkg-shlibdeps, with the versions they were built against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# dbk's own libraries (libdbk, libdbk_scorer) are in the package being built: dpkg-shlibdeps runs
# in the staging folder, so a relative folder points it there.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "usr/${CMAKE_INSTALL_LIBDIR}")
# The notebook runtime is Python; PySpark itself is the user's (a venv, or --python).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3 (>= 3.9)")
# Building against the package (find_package(dbk)) needs the JSON headers dbk's headers use.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nlohmann-json3-dev (>= 3.10)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "default-jre-headless, cmake, g++")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${CMAKE_CURRENT_LIST_DIR}/debian/prerm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
