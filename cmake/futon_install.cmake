# Installs the library, its headers and a package config so that
# find_package(futon) gives consumers futon::futon.
include(CMakePackageConfigHelpers)

install(TARGETS futon EXPORT futonTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/futon DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} PATTERN "*.in" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/include/futon/config.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/futon)
install(EXPORT futonTargets NAMESPACE futon:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/futon)

configure_package_config_file(cmake/futonConfig.cmake.in
  ${PROJECT_BINARY_DIR}/futonConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/futon)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/futonConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/futonConfig.cmake ${PROJECT_BINARY_DIR}/futonConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/futon)
