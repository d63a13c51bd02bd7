package import KiemCore
import SwiftProtobuf

// The Control API's messages made from KiemCore's values (an initiative, its
// registers, phases, adoption, priorities, op ids). One direction only: the
// daemon shows its state; requests are read in KiemNode's ControlRequests.

extension Phase {
    package var proto: Kiem_V1_Phase {
        switch self {
        case .idea: .idea
        case .experiment: .experiment
        case .pilot: .pilot
        case .proven: .proven
        case .scaling: .scaling
        case .stopped: .stopped
        }
    }
}

extension AdoptionStatus {
    package var proto: Kiem_V1_AdoptionStatus {
        switch self {
        case .exploring: .exploring
        case .piloting: .piloting
        case .adopted: .adopted
        case .dropped: .dropped
        }
    }
}

extension Annotation.Priority {
    package var proto: Kiem_V1_Priority {
        switch self {
        case .low: .low
        case .normal: .normal
        case .high: .high
        }
    }
}

extension OpID {
    package var proto: Kiem_V1_OpID {
        Kiem_V1_OpID.with {
            $0.origin = origin.rawValue
            $0.seq = seq
        }
    }
}

extension Kiem_V1_Provenance {
    package init<Value>(_ write: RegisterWrite<Value>, author: OrganisationID) {
        self.init()
        op = write.op.proto
        hlc = write.hlc.rawValue
        self.author = author.rawValue
    }
}

extension Initiative {
    /// The full visible state, concurrent values included.
    package var proto: Kiem_V1_Initiative {
        Kiem_V1_Initiative.with { message in
            message.id = id.description
            message.owner = owner.rawValue
            message.derivedFrom = derivedFrom?.description ?? ""
            message.created = Kiem_V1_Provenance.with {
                $0.op = createdBy.proto
                $0.hlc = createdAt.rawValue
                $0.author = owner.rawValue
            }
            message.updatedHlc = lastChanged.rawValue
            message.title = textRegister(.title)
            message.summary = textRegister(.summary)
            message.description_p = textRegister(.description)
            message.contact = textRegister(.contact)
            message.funding = textRegister(.funding)
            message.phase = phaseRegister
            message.archived = isArchived
            message.themes = themes.elements
            message.links = links.elements.map { url in Kiem_V1_Link.with { $0.url = url } }
            message.adoptions = adoptions.keys.sorted().compactMap { organisation in
                guard let winner = adoptions[organisation]?.winner else { return nil }
                return Kiem_V1_Adoption.with {
                    $0.organisation = organisation.rawValue
                    $0.status = winner.value.status.proto
                    $0.note = winner.value.note
                    $0.written = Kiem_V1_Provenance(winner, author: organisation)
                }
            }
            message.endorsements = endorsements.keys.sorted().compactMap { organisation in
                guard let winner = endorsements[organisation]?.winner else { return nil }
                return Kiem_V1_Endorsement.with {
                    $0.organisation = organisation.rawValue
                    $0.endorsed = winner.value.endorsed
                    $0.note = winner.value.note
                    $0.written = Kiem_V1_Provenance(winner, author: organisation)
                }
            }
            message.progress = progress.map(\.proto)
            message.annotations = annotations.keys.sorted().compactMap { organisation in
                guard let register = annotations[organisation], let winner = register.winner, !winner.value.isEmpty
                else { return nil }
                return Kiem_V1_Annotation.with {
                    $0.organisation = organisation.rawValue
                    $0.label = winner.value.label
                    $0.priority = winner.value.priority.proto
                    $0.note = winner.value.note
                    $0.written = Kiem_V1_Provenance(winner, author: organisation)
                    $0.concurrentCount = UInt32(register.visible.count - 1)
                }
            }
        }
    }

    private func textRegister(_ field: TextField) -> Kiem_V1_TextRegister {
        let writes = texts[field].writesByPrecedence
        return Kiem_V1_TextRegister.with { register in
            guard let winner = writes.first else { return }
            register.value = winner.value
            register.written = Kiem_V1_Provenance(winner, author: owner)
            register.concurrent = writes.dropFirst().map { other in
                Kiem_V1_ConcurrentText.with {
                    $0.value = other.value
                    $0.written = Kiem_V1_Provenance(other, author: owner)
                }
            }
        }
    }

    private var phaseRegister: Kiem_V1_PhaseRegister {
        let writes = phase.writesByPrecedence
        return Kiem_V1_PhaseRegister.with { register in
            guard let winner = writes.first else {
                register.phase = Phase.idea.proto
                return
            }
            register.phase = winner.value.phase.proto
            register.lessonsLearned = winner.value.lessonsLearned ?? ""
            register.written = Kiem_V1_Provenance(winner, author: owner)
            register.concurrent = writes.dropFirst().map { other in
                Kiem_V1_ConcurrentPhase.with {
                    $0.phase = other.value.phase.proto
                    $0.lessonsLearned = other.value.lessonsLearned ?? ""
                    $0.written = Kiem_V1_Provenance(other, author: owner)
                }
            }
        }
    }

    /// The short form, for watch events.
    package var summaryProto: Kiem_V1_InitiativeSummary {
        Kiem_V1_InitiativeSummary.with {
            $0.id = id.description
            $0.title = title
            $0.owner = owner.rawValue
            $0.phase = currentPhase.phase.proto
            $0.themes = themes.elements
            $0.adoptedBy = adoptionStatuses.filter(\.value.isActive).keys.map(\.rawValue).sorted()
            $0.endorsementCount = UInt32(endorsements.values.filter { $0.value?.endorsed == true }.count)
            $0.archived = isArchived
            $0.updatedHlc = lastChanged.rawValue
            $0.lastProgressHlc = progress.map(\.hlc.rawValue).max() ?? 0
        }
    }
}

extension ProgressRecord {
    package var proto: Kiem_V1_ProgressEntry {
        Kiem_V1_ProgressEntry.with { message in
            message.date = entry.date
            message.text = entry.text
            message.metrics = entry.metrics.sorted { $0.key < $1.key }.map { metric in
                Kiem_V1_Metric.with {
                    $0.name = metric.key
                    $0.value = metric.value
                }
            }
            message.written = Kiem_V1_Provenance.with {
                $0.op = op.proto
                $0.hlc = hlc.rawValue
                $0.author = author.rawValue
            }
        }
    }
}
