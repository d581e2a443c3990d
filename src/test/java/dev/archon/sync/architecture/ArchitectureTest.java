package dev.archon.sync.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The arrows ARCHITECTURE.md forbids, checked on the compiled main classes: a new import that breaks a
 * layer fails the build here instead of waiting for someone to run a grep.
 */
@AnalyzeClasses(packages = "dev.archon.sync", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String ROOT = "dev.archon.sync.";

    private static String pkg(String name) {
        return ROOT + name + "..";
    }

    private static final String[] HTTP = {"jakarta.ws..", "io.vertx..", "org.jboss.resteasy..", "io.quarkus.vertx..",
            "io.quarkus.resteasy..", "io.quarkus.rest.."};

    @ArchTest
    static final ArchRule engineKnowsNoHttp = noClasses().that().resideInAPackage(pkg("engine"))
            .should().dependOnClassesThat().resideInAnyPackage(HTTP)
            .because("the engine's outcomes are values and exceptions; the api maps them to HTTP");

    @ArchTest
    static final ArchRule engineUsesOnlyBackupAndPg = noClasses().that().resideInAPackage(pkg("engine"))
            .should().dependOnClassesThat().resideInAnyPackage(pkg("api"), pkg("service"), pkg("schedule"),
                    pkg("history"), pkg("config"))
            .because("one sync from validation to COMMIT needs nothing above it");

    @ArchTest
    static final ArchRule pgIsTheGroundFloor = noClasses().that().resideInAPackage(pkg("pg"))
            .should().dependOnClassesThat().resideInAnyPackage(pkg("api"), pkg("service"), pkg("schedule"),
                    pkg("engine"), pkg("history"), pkg("backup"), pkg("config"));

    @ArchTest
    static final ArchRule pgKnowsNothingOfArchon = noClasses().that().resideInAPackage(pkg("pg"))
            .should().haveSimpleNameStartingWith("Archon")
            .because("Archon's schema knowledge lives beside the schema code, in engine.schema; pg is plain PostgreSQL");

    @ArchTest
    static final ArchRule roomsAreNotReachedFromOutsideTheEngine = noClasses().that()
            .resideInAnyPackage(pkg("api"), pkg("service"), pkg("schedule"), pkg("history"))
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + "engine.session..", ROOT + "engine.delta..",
                    ROOT + "engine.load..", ROOT + "engine.backup..")
            .because("the service and the API see the engine's public face and its plan, never its sessions or steps");

    @ArchTest
    static final ArchRule backupStandsAlone = noClasses().that().resideInAPackage(pkg("backup"))
            .should().dependOnClassesThat().resideInAnyPackage(pkg("api"), pkg("service"), pkg("schedule"),
                    pkg("engine"), pkg("history"), pkg("config"), pkg("pg"));

    @ArchTest
    static final ArchRule configReadsOnlyUris = noClasses().that().resideInAPackage(pkg("config"))
            .should().dependOnClassesThat().resideInAnyPackage(pkg("api"), pkg("service"), pkg("schedule"),
                    pkg("engine"), pkg("history"), pkg("backup"))
            .because("settings are read at start-up; config may parse a libpq URI (pg.PgUri) and nothing else");

    @ArchTest
    static final ArchRule historyAndScheduleKnowNoHttp = noClasses().that()
            .resideInAnyPackage(pkg("history"), pkg("schedule"), pkg("service"))
            .should().dependOnClassesThat().resideInAnyPackage(HTTP)
            .orShould().dependOnClassesThat().resideInAPackage(pkg("api"));

    @ArchTest
    static final ArchRule scheduleReachesTheEngineThroughTheService = noClasses().that().resideInAPackage(pkg("schedule"))
            .should().callMethodWhere(com.tngtech.archunit.base.DescribedPredicate.describe(
                    "a method of engine.SyncEngine",
                    call -> call.getTarget().getOwner().getName().equals(ROOT + "engine.SyncEngine")))
            .because("the nightly job starts syncs through SyncService, never the engine directly, never REST");

    @ArchTest
    static final ArchRule nothingImportsApi = noClasses().that().resideOutsideOfPackage(pkg("api"))
            .should().dependOnClassesThat().resideInAPackage(pkg("api"));

    @ArchTest
    static final ArchRule noCycles = slices().matching(ROOT + "(*)..").should().beFreeOfCycles();
}
