package io.raftmesh.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's package rules: no cycles; the agent's own packages never reach into the proxy's; the
 * main code never links the store, the server, Ratis or RocksDB (the tests have control-server on
 * their classpath, so this rule sees those classes if anything referred to them).
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.raftmesh.agent");
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("io.raftmesh.agent.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void mainCodeNeverDependsOnTheStoreOrTheServer() {
    noClasses()
        .that()
        .resideInAPackage("io.raftmesh.agent..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.raftmesh.server..", "io.raftmesh.store..", "org.apache.ratis..", "org.rocksdb..")
        .check(classes);
  }

  @Test
  void onlyTheDataPlaneBindingAndCliKnowTheProxy() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.raftmesh.agent.config..",
            "io.raftmesh.agent.identity..",
            "io.raftmesh.agent.control..",
            "io.raftmesh.agent.cert..",
            "io.raftmesh.agent.subscribe..",
            "io.raftmesh.agent.cache..",
            "io.raftmesh.agent.register..",
            "io.raftmesh.agent.health..",
            "io.raftmesh.agent.admin..",
            "io.raftmesh.agent.telemetry..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.raftmesh.agent.proxy..")
        .allowEmptyShould(true)
        .check(classes);
  }
}
