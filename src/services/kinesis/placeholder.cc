// Placeholder until the Kinesis service lands; delete when adding real sources.
