// Writes the body lotus-miner posts to a RemoteCommit2Endpoint for a Commit2In file: api.RemoteCommit2Params
// (storage/pipeline) marshalled by encoding/json, with the types lotus declares (abi.SectorID,
// abi.RegisteredSealProof, storiface.Commit1Out = []byte). Used by test/api/commit2.test.ts.
package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strconv"
)

type SectorID struct {
	Miner  uint64 // abi.ActorID
	Number uint64 // abi.SectorNumber
}

type RemoteCommit2Params struct {
	Sector     SectorID
	ProofType  int64  // abi.RegisteredSealProof
	Commit1Out []byte // storiface.Commit1Out
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var in struct {
		SectorNum uint64
		Phase1Out string
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		panic(err)
	}
	c1, err := base64.StdEncoding.DecodeString(in.Phase1Out)
	if err != nil {
		panic(err)
	}
	miner, _ := strconv.ParseUint(os.Args[2], 10, 64)
	proofType, _ := strconv.ParseInt(os.Args[3], 10, 64)
	out, err := json.Marshal(RemoteCommit2Params{Sector: SectorID{miner, in.SectorNum}, ProofType: proofType, Commit1Out: c1})
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(out)
}
