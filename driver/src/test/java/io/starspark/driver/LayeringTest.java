package io.starspark.driver;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Arrows point down only: driver → workers → (sharding, kv-store, model) → kernels. */
class LayeringTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.starspark");
    }

    @Test
    void modulesDependDownwardOnly() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("driver").definedBy("io.starspark.driver..")
                .layer("workers").definedBy("io.starspark.workers..")
                .layer("sharding").definedBy("io.starspark.sharding..")
                .layer("kv").definedBy("io.starspark.kv..")
                .layer("model").definedBy("io.starspark.model..")
                .layer("kernels").definedBy("io.starspark.kernels..")
                .layer("errors").definedBy("io.starspark.errors..")
                .whereLayer("driver").mayNotBeAccessedByAnyLayer()
                .whereLayer("workers").mayOnlyBeAccessedByLayers("driver")
                .whereLayer("sharding").mayOnlyBeAccessedByLayers("driver", "workers", "kv")
                .whereLayer("kv").mayOnlyBeAccessedByLayers("driver", "workers")
                .whereLayer("model").mayOnlyBeAccessedByLayers("driver", "workers")
                .whereLayer("kernels").mayOnlyBeAccessedByLayers("driver", "workers", "model", "kv")
                .check(classes);
    }

    @Test
    void theUserErrorTypeDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("io.starspark.errors..")
                .should().dependOnClassesThat().resideInAnyPackage("io.starspark.driver..", "io.starspark.workers..",
                        "io.starspark.sharding..", "io.starspark.kv..", "io.starspark.model..", "io.starspark.kernels..")
                .check(classes);
    }

    @Test
    void kernelsAndModelKnowNoSparkAndNoHadoop() {
        noClasses().that().resideInAnyPackage("io.starspark.kernels..", "io.starspark.model..", "io.starspark.sharding..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..")
                .check(classes);
    }
}
