/// What the ``FrameDecoder`` produces: the peer's preface once, then frames.
public enum InboundItem: Sendable, Hashable {
    /// The peer's connection preface (always the first item).
    case preface(Preface)
    /// A frame.
    case frame(Frame)
}
