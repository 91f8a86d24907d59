package io.raftmesh.agent.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ProxyArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.raftmesh.agent.proxy");

  @Test
  void proxyFeaturePackagesHaveNoCycles() {
    slices().matching("io.raftmesh.agent.proxy.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void onlyTheApiPackageWiresListenersTogether() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.raftmesh.agent.proxy")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.raftmesh.agent.proxy")
        .check(CLASSES);
  }
}
