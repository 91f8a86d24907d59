package io.raftmesh.server.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.raftmesh.server");

  @Test
  void featurePackagesHaveNoCycles() {
    slices().matching("io.raftmesh.server.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void onlyTheCommandLineAndTheProcessAssemblyDependOnTheRuntime() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.raftmesh.server.cli..", "io.raftmesh.server.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.raftmesh.server.runtime..", "io.raftmesh.server.cli..")
        .check(CLASSES);
  }

  @Test
  void ratisTypesNeverLeakIntoTheServer() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.ratis..")
        .check(CLASSES);
  }
}
