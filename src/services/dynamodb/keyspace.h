// The DynamoDB keyspace in the shared store. Every key starts with the 9 bytes "dynamodb\0".
//
//   key       := "dynamodb\0" kind
//   kind      := 'n'                                      -> next_uid:u64be
//              | 't' table_uid:u64be                      -> TableMeta (json, table_codec.h)
//              | 'i' table_uid:u64be index:u32be keyval+  -> Item (attribute_value.h binary)
//              | 's' table_uid:u64be epoch:u32be seq:u64be -> StreamRecord (stream_record.h)
//              | 'x' token:string                          -> TransactionToken (json)
//              | 'b' backup_uid:u64be                      -> BackupMeta (json, backup.h)
//              | 'k' backup_uid:u64be keyval+              -> Item of a backup (the table's
//                                                            own key, without index)
//              | 'o' seq:u64be                             -> a change record not yet put to a
//                                                            Kinesis destination (json:
//                                                            account, region, stream, key,
//                                                            data, staged micros)
//   index     := 0 for the table itself (keyval+ is its hash key, then its range key if any);
//                a secondary index's id (>= 1, never reused within a table) for its entries,
//                whose keyval+ is the index's hash [and range] key, then the table's key
//                (which keeps entries with equal index keys apart); the value is the item's
//                projection into the index.
//   keyval    := number | string        (the key attribute's type comes from the schema)
//   string    := storage/key_codec.h `string` of the UTF-8 (S) or raw (B) bytes
//   number    := 0x80                                     zero
//              | 0x81 exp:u8 digit+ 0x00                  positive
//              | 0x7F (0xFF-exp):u8 (0xFF-digit)+ 0xFF    negative
//                exp = scientific exponent + 130 (0..255); digit = '0'..'9', significant
//                digits without trailing zeros.
//
// Byte order of `keyval` equals DynamoDB's order of the values (numbers as numbers, strings
// and binaries by unsigned bytes), and every keyval is self-delimiting, so a table's items
// are stored in (hash, range) order and a Query is one Scan over a key range. A table's uid
// is allocated from next_uid and never reused: DeleteTable is one DeleteRange per kind. A
// backup's uid comes from the same counter.
// Stream records of one stream epoch (a StreamSpecification enabled once) are consecutive by
// seq, a key family (FamilyLength).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::dynamodb::keyspace {

std::string NextUidKey();
std::string TablePrefix();
std::string TableKey(uint64_t table_uid);
std::optional<uint64_t> ParseTableKey(std::string_view key);

// The prefix of every entry of one index (0: the table) of a table.
std::string IndexPrefix(uint64_t table_uid, uint32_t index);
// The prefix of all item and index entries of a table.
std::string ItemsPrefix(uint64_t table_uid);

std::string StreamPrefix(uint64_t table_uid);
std::string StreamEpochPrefix(uint64_t table_uid, uint32_t epoch);
std::string StreamRecordKey(uint64_t table_uid, uint32_t epoch, uint64_t seq);
std::optional<uint64_t> ParseStreamSeq(std::string_view key);

std::string BackupPrefix();
std::string BackupKey(uint64_t backup_uid);
// The items of one backup; an item's key is this prefix + the table key after IndexPrefix.
std::string BackupItemsPrefix(uint64_t backup_uid);

std::string TokenKey(std::string_view token);
std::string TokenPrefix();

std::string KinesisOutboxKey(uint64_t seq);
std::string KinesisOutboxPrefix();
std::optional<uint64_t> ParseKinesisOutboxKey(std::string_view key);

// The key family (storage::KeyFamily) of a stream record key; 0 for every other key.
size_t FamilyLength(std::string_view key);

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h). A new kind must join this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::dynamodb::keyspace
