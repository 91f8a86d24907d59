package io.raftmesh.ca;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module's package graph stays acyclic and free of network code. */
class ArchitectureTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.raftmesh.ca");

  @Test
  void featurePackagesHaveNoCycles() {
    slices().matching("io.raftmesh.ca.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void theSharedPackageDependsOnNoFeaturePackage() {
    noClasses()
        .that()
        .resideInAPackage("io.raftmesh.ca")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.raftmesh.ca.*..")
        .check(CLASSES);
  }

  @Test
  void nothingOpensSocketsOrHttpConnections() {
    // JSSE's manager interfaces mention java.net.Socket in signatures; calling its methods or
    // constructing one is what is banned.
    noClasses()
        .should()
        .callConstructorWhere(
            com.tngtech.archunit.core.domain.JavaConstructorCall.Predicates.target(
                com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                    com.tngtech.archunit.base.DescribedPredicate.describe(
                        "a socket or URL connection",
                        owner ->
                            owner.isAssignableTo("java.net.Socket")
                                || owner.isAssignableTo("java.net.ServerSocket")
                                || owner.isAssignableTo("java.net.URLConnection")))))
        .check(CLASSES);
  }
}
