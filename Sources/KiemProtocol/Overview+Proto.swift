package import KiemCore
import SwiftProtobuf

extension Overview {
    /// The Control API's `OverviewResponse`; `syncHealth` is the serving
    /// node's peer reports, and each list of initiatives keeps its first
    /// `listLimit` items, with its total beside it.
    package func proto(syncHealth: [Kiem_V1_Peer], listLimit: Int) -> Kiem_V1_OverviewResponse {
        Kiem_V1_OverviewResponse.with { response in
            response.total = UInt64(total)
            response.byPhase = byPhase.proto
            response.byTheme = themes.map { row in
                Kiem_V1_ThemeStats.with {
                    $0.theme = row.theme
                    $0.initiatives = UInt64(row.byPhase.total)
                    $0.byPhase = row.byPhase.proto
                }
            }
            response.byOrganisation = organisations.map { row in
                Kiem_V1_OrganisationStats.with {
                    $0.organisation = row.organisation.rawValue
                    $0.owned = UInt64(row.owned.total)
                    $0.byPhase = row.owned.proto
                    $0.adopting = UInt64(row.adopting)
                    $0.endorsementsGiven = UInt64(row.endorsing)
                }
            }
            response.adoption = adoptionSpread.prefix(listLimit).map(\.proto)
            response.adoptionTotal = UInt64(adoptionSpread.count)
            response.adopted = adopted.prefix(listLimit).map(\.proto)
            response.adoptedTotal = UInt64(adopted.count)
            response.stalledTotal = UInt64(stalled.count)
            response.stalled = stalled.prefix(listLimit).map { stalled in
                Kiem_V1_StalledInitiative.with {
                    $0.initiative = stalled.entry.summaryProto
                    $0.daysSinceMovement = UInt32(clamping: stalled.daysSinceMovement)
                }
            }
            response.funnel = funnel.stages.map { stage in
                Kiem_V1_FunnelStage.with {
                    $0.phase = stage.phase.proto
                    $0.reached = UInt64(stage.reached)
                }
            }
            response.funnelStopped = UInt64(funnel.stopped)
            response.stoppedTotal = UInt64(stopped.count)
            response.stopped = stopped.prefix(listLimit).map { entry in
                Kiem_V1_StoppedInitiative.with {
                    $0.initiative = entry.summaryProto
                    $0.lessonsLearned = entry.lessonsLearned ?? ""
                    $0.stoppedHlc = entry.lastPhaseChange.rawValue
                }
            }
            response.lineageTotal = UInt64(lineage.count)
            response.lineage = lineage.prefix(listLimit).map { tree in
                Kiem_V1_LineageTree.with {
                    $0.nodes = tree.nodes.map { node in
                        Kiem_V1_LineageTree.Node.with {
                            $0.initiative = node.entry.summaryProto
                            $0.depth = UInt32(clamping: node.depth)
                        }
                    }
                    $0.parentMissing = tree.parentMissing
                }
            }
            response.recent = recent.map(\.summaryProto)
            response.asOfHlc = recent.first?.lastChanged.rawValue ?? 0
            response.activity = activity.map { week in
                Kiem_V1_ActivityWeek.with {
                    $0.startMillis = week.start
                    $0.label = week.label
                    $0.initiatives = UInt64(week.initiatives)
                }
            }
            response.syncHealth = syncHealth
            response.stalledAfterDays = UInt32(clamping: stalledAfterDays)
            response.labels = labels.map { row in
                Kiem_V1_LabelStats.with {
                    $0.organisation = row.organisation.rawValue
                    $0.label = row.label
                    $0.initiatives = UInt64(row.byPhase.total)
                    $0.byPhase = row.byPhase.proto
                    $0.highPriority = UInt64(row.highPriority)
                }
            }
            response.prioritisedTotal = UInt64(prioritised.count)
            response.prioritised = prioritised.prefix(listLimit).map { mark in
                Kiem_V1_PrioritisedInitiative.with {
                    $0.initiative = mark.entry.summaryProto
                    $0.organisation = mark.organisation.rawValue
                    $0.label = mark.annotation.label
                    $0.note = mark.annotation.note
                    $0.daysSinceMovement = UInt32(clamping: mark.daysSinceMovement)
                }
            }
        }
    }
}

extension PhaseCounts {
    /// Every phase with its count, in phase order.
    package var proto: [Kiem_V1_PhaseCount] {
        Phase.allCases.map { phase in
            Kiem_V1_PhaseCount.with {
                $0.phase = phase.proto
                $0.count = UInt64(self[phase])
            }
        }
    }
}

extension AdoptedInitiative {
    package var proto: Kiem_V1_AdoptionSpread {
        Kiem_V1_AdoptionSpread.with {
            $0.initiative = entry.summaryProto
            $0.exploring = UInt32(exploring)
            $0.piloting = UInt32(piloting)
            $0.adopted = UInt32(adopted)
            $0.dropped = UInt32(adopters.values.filter { $0 == .dropped }.count)
        }
    }
}

extension PortfolioEntry {
    /// The short form lists and the overview use.
    package var summaryProto: Kiem_V1_InitiativeSummary {
        Kiem_V1_InitiativeSummary.with {
            $0.id = id.description
            $0.title = title
            $0.owner = owner.rawValue
            $0.phase = phase.proto
            $0.themes = themes
            $0.adoptedBy = adoptions.filter(\.value.isActive).keys.map(\.rawValue).sorted()
            $0.endorsementCount = UInt32(endorsementCount)
            $0.archived = isArchived
            $0.updatedHlc = lastChanged.rawValue
            $0.lastProgressHlc = lastProgress?.rawValue ?? 0
        }
    }
}
