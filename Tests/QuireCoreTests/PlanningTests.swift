import Testing
@testable import QuireCore

@Suite("Planning")
struct PlanningTests {
    @Test func orderIsTopologicalAndStable() throws {
        let order = try DependencyGraph.order(ids: ["a", "b", "c", "d"], dependencies: ["c": ["a"], "b": ["c"], "d": []]).get()
        #expect(order == ["a", "d", "c", "b"])
    }

    @Test func cyclesAreReportedAsPaths() {
        guard case .failure(let cycle) = DependencyGraph.order(ids: ["a", "b", "c"], dependencies: ["a": ["c"], "b": ["a"], "c": ["b"]]) else {
            Issue.record("expected a cycle")
            return
        }
        #expect(cycle.path.count == 4)
        #expect(cycle.path.first == cycle.path.last)
        #expect(Set(cycle.path) == ["a", "b", "c"])
    }

    @Test func schedulerReleasesStepsAsTheirDependenciesFinish() {
        var scheduler = StepScheduler(order: ["plan", "intro", "sections", "report"], dependencies: ["sections": ["plan"], "report": ["sections", "intro"]])
        #expect(scheduler.takeReady() == ["plan", "intro"])
        #expect(scheduler.takeReady() == [])
        scheduler.markFinished("intro")
        #expect(scheduler.takeReady() == [])
        scheduler.markFinished("plan")
        #expect(scheduler.takeReady() == ["sections"])
        scheduler.markFinished("sections")
        #expect(scheduler.takeReady() == ["report"])
        scheduler.markFinished("report")
        #expect(scheduler.isDone)
    }

    @Test func aFailedStepBlocksOnlyItsDependents() {
        var scheduler = StepScheduler(order: ["a", "b", "c", "d"], dependencies: ["c": ["a"], "d": ["c"]])
        #expect(scheduler.takeReady() == ["a", "b"])
        scheduler.markFailed("a")
        scheduler.markFinished("b")
        #expect(scheduler.takeReady() == [])
        #expect(scheduler.blocked == ["c", "d"])
        #expect(scheduler.isDone)
    }
}
