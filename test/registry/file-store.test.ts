import { fileFixture, testStore } from "../helpers/store-contract.js";
import { fileClock, testKeepWindow } from "./keep-window.js";

testStore("file", fileFixture);
testKeepWindow("file", fileFixture, fileClock);
