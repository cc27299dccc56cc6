# Installation: the shared library, the public headers (C++ and C), a CMake
# package (find_package(crmcore) -> crmcore::crmcore) and a pkg-config file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS crmcore EXPORT crmcoreTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/crm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/bindings/c/include/crm.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(CRM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/crmcore)
install(EXPORT crmcoreTargets NAMESPACE crmcore:: DESTINATION ${CRM_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/crmcoreConfig.cmake.in
  ${PROJECT_BINARY_DIR}/crmcoreConfig.cmake INSTALL_DESTINATION ${CRM_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/crmcoreConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/crmcoreConfig.cmake ${PROJECT_BINARY_DIR}/crmcoreConfigVersion.cmake
  DESTINATION ${CRM_CMAKE_DIR})

# The .pc file finds its prefix relative to itself, so the tree can move.
file(RELATIVE_PATH CRM_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/crmcore.pc.in ${PROJECT_BINARY_DIR}/crmcore.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/crmcore.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
