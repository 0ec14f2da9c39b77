// The SNS keyspace in the shared store. Every key starts with the 4 bytes "sns\0".
//
//   key   := "sns\0" kind
//   kind  := 't' topic_arn:string                    -> TopicMeta (json, see topic_codec.h)
//          | 'c' topic_arn:string                    -> fifo_counter:u64be (FIFO topics: the
//                                                       last SequenceNumber handed out)
//          | 'd' topic_arn:string dedup_id:string    -> DedupRecord (json: "id" message id,
//                                                       "seq" SequenceNumber, "exp" micros)
//          | 'o' seq:u64be                           -> Delivery (json, see delivery.h): one
//                                                       outbox entry, a message waiting to be
//                                                       delivered to one subscription
//
// (u64be and string as in storage/key_codec.h.) Outbox entries are written in the same batch
// as the Publish (or Subscribe, for confirmation messages) that creates them and deleted by
// the delivery engine once their target accepted them. Outbox seqs increase in commit order
// per topic; recovery continues after the largest stored seq.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::sns::keyspace {

std::string TopicPrefix();
std::string TopicKey(std::string_view topic_arn);
std::string CounterPrefix();
std::string CounterKey(std::string_view topic_arn);
std::string DedupRoot();                              // all dedup records
std::string DedupPrefix(std::string_view topic_arn);  // all dedup records of a topic
std::string DedupKey(std::string_view topic_arn, std::string_view dedup_id);
std::string OutboxPrefix();
std::string OutboxKey(uint64_t seq);
// The key family (storage::KeyFamily) of an outbox key: the whole outbox, which grows with
// seq. 0 for every other key.
size_t FamilyLength(std::string_view key);

// Decoders for keys of the given kind; nullopt for a key of another form.
std::optional<std::string> ParseTopicKey(std::string_view key);
std::optional<std::string> ParseCounterKey(std::string_view key);
// (topic arn, dedup id)
std::optional<std::pair<std::string, std::string>> ParseDedupKey(std::string_view key);
std::optional<uint64_t> ParseOutboxKey(std::string_view key);

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h). A new kind must join this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::sns::keyspace
