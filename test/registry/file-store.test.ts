import { fileFixture, testStore } from "../helpers/store-contract.js";

testStore("file", fileFixture);
